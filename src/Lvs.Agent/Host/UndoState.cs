using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lvs.Agent.Host;

/// <summary>What one change did, so it can be reversed: exactly one of the three shapes is set.</summary>
public sealed record UndoEntry
{
    /// <summary>A sysctl file under /proc/sys and the value it had before.</summary>
    public string? SysctlPath { get; init; }

    public string? OldValue { get; init; }

    /// <summary>An address (CIDR) the agent added to <see cref="Device"/>.</summary>
    public string? Address { get; init; }

    public string? Device { get; init; }

    /// <summary>A command (argv, no shell) that reverses a change, e.g. ip fou del port N.</summary>
    public IReadOnlyList<string>? Command { get; init; }
}

/// <summary>
/// The undo state file: the changes in the order they were made (undone in reverse), written
/// before each change is made so that a crash at any point leaves a file that covers it.
/// </summary>
public sealed record UndoState
{
    public int Version { get; init; } = 1;

    /// <summary>The agent that wrote the file, so undo can refuse while it still runs.</summary>
    public int Pid { get; init; }

    public List<UndoEntry> Changes { get; init; } = [];

    /// <summary>Writes the state atomically (temporary file, then rename), creating the directory.</summary>
    public void Save(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, UndoStateJson.Default.UndoState));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a state file; null with a one-line reason when it cannot be read or parsed.</summary>
    public static UndoState? Load(string path, out string? error)
    {
        error = null;
        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllText(path), UndoStateJson.Default.UndoState);
            if (state is null || state.Version != 1)
            {
                error = $"{path}: not an lvs-agent state file (version 1)";
                return null;
            }

            return state;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            error = $"{path}: {e.Message}";
            return null;
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UndoState))]
internal sealed partial class UndoStateJson : JsonSerializerContext;
