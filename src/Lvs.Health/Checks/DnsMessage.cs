using System.Buffers.Binary;
using System.Text;

namespace Lvs.Health.Checks;

/// <summary>
/// The DNS query DNS_CHECK sends and the checks its reply must pass (RFC 1035 §4.1).
/// <code>
///  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// |                      ID                       |
/// |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
/// |                    QDCOUNT                    |
/// |                    ANCOUNT                    |
/// |                    NSCOUNT                    |
/// |                    ARCOUNT                    |
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// then QNAME (labels), QTYPE, QCLASS
/// </code>
/// </summary>
internal static class DnsMessage
{
    public const int HeaderLength = 12;

    /// <summary>Record types keepalived's DNS_CHECK accepts, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ushort> Types = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase)
    {
        ["A"] = 1,
        ["NS"] = 2,
        ["CNAME"] = 5,
        ["SOA"] = 6,
        ["MX"] = 15,
        ["TXT"] = 16,
        ["AAAA"] = 28,
    };

    /// <summary>Encodes a name as labels; false when a label is empty or over 63 bytes, or the name over 255.</summary>
    public static bool TryEncodeName(string name, out byte[] encoded)
    {
        encoded = [];
        var trimmed = name.TrimEnd('.');
        var output = new List<byte>(trimmed.Length + 2);
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                var bytes = Encoding.ASCII.GetBytes(label);
                if (bytes.Length is 0 or > 63 || label.Any(c => c > 0x7e || c <= ' '))
                {
                    return false;
                }
                output.Add((byte)bytes.Length);
                output.AddRange(bytes);
            }
        }
        output.Add(0);
        if (output.Count > 255)
        {
            return false;
        }
        encoded = [.. output];
        return true;
    }

    /// <summary>Writes a recursive query for one question; returns its length.</summary>
    public static int WriteQuery(Span<byte> buffer, ushort id, ReadOnlySpan<byte> encodedName, ushort type)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0x0100); // RD
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], 1);
        buffer.Slice(6, 6).Clear();
        encodedName.CopyTo(buffer[HeaderLength..]);
        var at = HeaderLength + encodedName.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[at..], type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(at + 2)..], 1); // IN
        return at + 4;
    }

    /// <summary>
    /// A valid reply: same id, QR set, opcode QUERY, RCODE NOERROR, the question echoed back,
    /// at least one answer. Returns null when valid, else the reason.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> query)
    {
        if (reply.Length < HeaderLength)
        {
            return $"reply of {reply.Length} bytes is shorter than a DNS header";
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(reply) != BinaryPrimitives.ReadUInt16BigEndian(query))
        {
            return "reply id does not match the query";
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(reply[2..]);
        if ((flags & 0x8000) == 0 || ((flags >> 11) & 0xf) != 0)
        {
            return "not a reply to a standard query";
        }
        if ((flags & 0x0200) != 0)
        {
            return "reply truncated";
        }
        var rcode = flags & 0xf;
        if (rcode != 0)
        {
            return $"reply code {rcode}";
        }
        var question = query[HeaderLength..];
        if (BinaryPrimitives.ReadUInt16BigEndian(reply[4..]) != 1 || reply.Length < HeaderLength + question.Length
            || !reply.Slice(HeaderLength, question.Length).SequenceEqual(question))
        {
            return "reply does not repeat the question";
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(reply[6..]) == 0)
        {
            return "reply has no answer";
        }
        return null;
    }
}
