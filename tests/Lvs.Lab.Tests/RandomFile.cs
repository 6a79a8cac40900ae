using System.Security.Cryptography;

namespace Lvs.Lab.Tests;

/// <summary>Random test files and their checksums, for transfers whose content must arrive intact.</summary>
public static class RandomFile
{
    /// <summary>Writes <paramref name="bytes"/> random bytes (a multiple of 1 MiB) to <paramref name="path"/>; returns their SHA-256.</summary>
    public static string Write(string path, int bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = File.Create(path);
        byte[] buffer = new byte[1 << 20];
        for (int written = 0; written < bytes; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            stream.Write(buffer);
            hash.AppendData(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
