using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lvs.Health.Checks;

/// <summary>
/// Reads an HTTP/1.x response with hard bounds: the header section must fit in
/// <see cref="MaxHeaderBytes"/>; the body is read only when a digest is wanted, and at most
/// <see cref="MaxDigestBodyBytes"/> of it. A server streaming gigabytes therefore costs one
/// pooled buffer and at most 1 MiB of reading.
/// </summary>
internal static class HttpResponseReader
{
    public const int MaxHeaderBytes = 16 * 1024;
    public const int MaxDigestBodyBytes = 1024 * 1024;

    public static async Task<CheckResult> CheckAsync(Stream stream, HttpUrl url, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeaderBytes);
        try
        {
            var filled = 0;
            var headerEnd = -1;
            while (headerEnd < 0)
            {
                if (filled == MaxHeaderBytes)
                {
                    return Down(url, $"response headers over {MaxHeaderBytes / 1024} KiB");
                }
                var n = await stream.ReadAsync(buffer.AsMemory(filled, MaxHeaderBytes - filled), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return Down(url, filled == 0 ? "connection closed without a response" : "connection closed inside the response headers");
                }
                var searchFrom = Math.Max(0, filled - 3);
                filled += n;
                var at = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
                if (at >= 0)
                {
                    headerEnd = searchFrom + at + 4;
                }
            }
            if (!TryParseHead(buffer.AsSpan(0, headerEnd), out var status, out var contentLength, out var chunked))
            {
                return Down(url, "not an HTTP response");
            }
            if (!url.Accepts(status))
            {
                return Down(url, $"status {status}, wanted {url.StatusText}");
            }
            if (url.Digest is null)
            {
                // The status decides; the body, however large, is never read.
                return new CheckResult(true, $"{url.Path}: status {status}");
            }
            if (chunked)
            {
                return Down(url, "chunked body: the digest needs a plain body (keepalived sends HTTP/1.0)");
            }
            if (contentLength > MaxDigestBodyBytes)
            {
                return Down(url, $"body of {contentLength} bytes is over the {MaxDigestBodyBytes / 1024} KiB digest limit");
            }
            return await DigestAsync(stream, url, buffer, headerEnd, filled, contentLength, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<CheckResult> DigestAsync(Stream stream, HttpUrl url, byte[] buffer, int headerEnd, int filled, long contentLength, CancellationToken ct)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        long total = 0;
        var limit = contentLength >= 0 ? contentLength : MaxDigestBodyBytes + 1L;
        var pending = buffer.AsMemory(headerEnd, filled - headerEnd);
        while (true)
        {
            var take = (int)Math.Min(pending.Length, limit - total);
            md5.AppendData(pending.Span[..take]);
            total += take;
            if (total > MaxDigestBodyBytes)
            {
                return Down(url, $"body over the {MaxDigestBodyBytes / 1024} KiB digest limit");
            }
            if (total == limit)
            {
                break;
            }
            var n = await stream.ReadAsync(buffer.AsMemory(0, buffer.Length), ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (contentLength >= 0)
                {
                    return Down(url, $"body ended after {total} of {contentLength} bytes");
                }
                break;
            }
            pending = buffer.AsMemory(0, n);
        }
        Span<byte> sum = stackalloc byte[16];
        md5.GetHashAndReset(sum);
        if (!sum.SequenceEqual(url.Digest))
        {
            return Down(url, $"digest {Convert.ToHexStringLower(sum)}, wanted {Convert.ToHexStringLower(url.Digest!)}");
        }
        return new CheckResult(true, $"{url.Path}: digest matches");
    }

    /// <summary>Status line "HTTP/1.x NNN reason", then headers; Content-Length and chunked coding noted.</summary>
    internal static bool TryParseHead(ReadOnlySpan<byte> head, out int status, out long contentLength, out bool chunked)
    {
        status = 0;
        contentLength = -1;
        chunked = false;
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !int.TryParse(statusLine.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out status)
            || status < 100 || status > 599 || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            return false;
        }
        var rest = head[(lineEnd + 2)..];
        while (rest.Length > 2)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = rest[..end];
            rest = rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out contentLength))
                {
                    return false;
                }
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = Encoding.ASCII.GetString(value).Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }
        return true;
    }

    private static CheckResult Down(HttpUrl url, string reason) => new(false, $"{url.Path}: {reason}");
}
