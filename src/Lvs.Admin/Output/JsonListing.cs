using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>
/// lvsadm --json (our extension): a listing as lvsd answered it, serialized with the control
/// contract's own JSON context (camelCase names, nulls left out), indented, one document per run.
/// </summary>
/// <remarks>
/// The shapes, stable for scripts:
/// -L [--stats|--rate|--thresholds|...]: the <see cref="StatusSnapshot"/> (services and servers in
/// lvsd's order; with -t/-u/-f only that service); -L -c: the array of <see cref="ConnectionEntry"/>;
/// -L --timeout: the <see cref="TimeoutSettings"/>; --drops: the array of <see cref="DropCount"/>; -L --daemon: the
/// response with its daemons and sync counters.
/// Addresses and ports are always numeric; counters and rates are exact numbers.
/// </remarks>
internal static class JsonListing
{
    private static readonly ControlJsonContext s_indented = new(
        new JsonSerializerOptions(ControlJsonContext.Default.Options) { WriteIndented = true });

    public static string Status(StatusSnapshot snapshot) => Write(snapshot, s_indented.StatusSnapshot);

    public static string Connections(IReadOnlyList<ConnectionEntry> entries) =>
        Write(entries, s_indented.IReadOnlyListConnectionEntry);

    public static string Timeouts(TimeoutSettings timeouts) => Write(timeouts, s_indented.TimeoutSettings);

    public static string Drops(IReadOnlyList<DropCount> drops) => Write(drops, s_indented.IReadOnlyListDropCount);

    /// <summary>-L --daemon --json: the whole answer (daemons and sync counters).</summary>
    public static string Daemons(ControlResponse response) => Write(response, s_indented.ControlResponse);

    private static string Write<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info) + "\n";
}
