namespace Lvs.Lab;

/// <summary>
/// Locates the repository's bin/ directory (bin/lvsd, bin/lvsadm): $LVS_BIN if set, else the
/// bin/ next to Lvs.slnx found by walking up from this assembly's directory.
/// </summary>
public static class LvsBin
{
    /// <summary>Environment variable that overrides the bin directory.</summary>
    public const string EnvironmentVariable = "LVS_BIN";

    /// <summary>The bin directory.</summary>
    /// <exception cref="LabException">Neither $LVS_BIN nor a repository root was found.</exception>
    public static string Directory => Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory);

    /// <summary>Full path of one of our programs (lvsd, lvsadm) in the bin directory.</summary>
    public static string Program(string name) => Path.Combine(Directory, name);

    /// <summary>Pure form of <see cref="Directory"/>, for tests.</summary>
    internal static string Locate(string? overridePath, string startDirectory)
    {
        if (!string.IsNullOrEmpty(overridePath))
        {
            return overridePath;
        }

        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lvs.slnx")))
            {
                return Path.Combine(dir.FullName, "bin");
            }
        }

        throw new LabException($"no Lvs.slnx above {startDirectory}; set {EnvironmentVariable} to the directory holding lvsd and lvsadm");
    }
}
