namespace Lvs.Lab;

// More than one client: a second address on the client's interface, so tests can tell
// per-client behaviour (sh, persistence) from per-connection behaviour.
public abstract partial class LabTopology
{
    /// <summary>
    /// The second client address <see cref="AddClientAddress"/> adds by default. Chosen so that
    /// ip_vs's sh hash (hash_32 of the address, 8 bits) puts it in a bucket of another residue
    /// mod 2 and mod 3 than <see cref="ClientAddress"/> (133 against 194), so with two or three
    /// equal-weight servers sh sends the two clients to different servers.
    /// </summary>
    public const string SecondClientAddress = "198.51.100.4";

    /// <summary>
    /// Adds <paramref name="address"/> (in the clients' /24) to the client's interface; curl
    /// <c>--interface ADDRESS</c> or dig <c>-b ADDRESS</c> then speak from it. Idempotent.
    /// </summary>
    /// <exception cref="LabException">ip refused the address.</exception>
    public void AddClientAddress(string address = SecondClientAddress) =>
        Ip(ClientNamespace, "addr", "replace", address + "/24", "dev", "eth0");
}
