namespace Lvs.Daemon.Config;

/// <summary>
/// lvsd --config FILE: reads keepalived.conf's load-balancing part or an ipvsadm save file into a
/// <see cref="Lvs.Core.Services.Configuration"/>. A pure function of the file(s): nothing is applied here.
/// </summary>
public static class ConfigLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>. A file whose first word (after an optional "ipvsadm" or "lvsadm")
    /// is an ipvsadm command (-A, -a, -C) is a save file; anything else is keepalived.conf. Never throws
    /// for bad input: every problem is a diagnostic, and any error leaves Configuration null.
    /// </summary>
    public static ConfigLoadResult Load(string path) => Load(path, configId: null);

    /// <summary>As <see cref="Load(string)"/>, with keepalived's config id for @id lines (default: the short host name).</summary>
    public static ConfigLoadResult Load(string path, string? configId)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Refused(path, $"cannot read the configuration: {e.Message}");
        }

        try
        {
            return LoadText(text, path, configId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The daemon reloads on SIGHUP: a loader bug must refuse the file, not end lvsd. Tests fuzz LoadText without this net.
            return Refused(path, $"internal error while loading: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Loads <paramref name="text"/> as the contents of <paramref name="path"/> (includes resolve from its directory).</summary>
    internal static ConfigLoadResult LoadText(string text, string path, string? configId = null)
    {
        if (IsIpvsadmSave(text))
        {
            return IpvsadmSaveReader.Read(text, path);
        }

        var diagnostics = new DiagnosticBag();
        KeepalivedDocument document = new KeepalivedParser(diagnostics, configId).Parse(path, text);
        if (diagnostics.HasErrors)
        {
            // A broken tree would only add errors that follow from the first ones.
            return new ConfigLoadResult(null, diagnostics.Errors, diagnostics.Warnings, document);
        }

        return new KeepalivedInterpreter(diagnostics).Interpret(document);
    }

    /// <summary>True when the first word of the file, after comments and an optional "ipvsadm"/"lvsadm", is -A, -a or -C.</summary>
    public static bool IsIpvsadmSave(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string[] words = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0].StartsWith('#') || words[0].StartsWith('!'))
            {
                continue;
            }

            int i = words[0] is "ipvsadm" or "lvsadm" ? 1 : 0;
            return i < words.Length && words[i] is "-A" or "-a" or "-C" or "--add-service" or "--add-server" or "--clear";
        }

        return false;
    }

    private static ConfigLoadResult Refused(string path, string message) =>
        new(null, [new ConfigDiagnostic(path, 0, 0, message)], [], null);
}
