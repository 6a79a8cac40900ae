using Lvs.Daemon.Config;
using static Lvs.Daemon.Tests.Config.ConfigText;

namespace Lvs.Daemon.Tests.Config;

/// <summary>Mutated and random inputs: no exception escapes the lexer, parser, interpreter or save reader.</summary>
public class ConfigFuzzTests
{
    private static readonly string[] Pieces =
    [
        "{", "}", "\"", "#", "!", "\n", " ", "@", "@^x ", "include ", "*", "virtual_server ", "real_server ", "fwmark ", "group ",
        "virtual_server_group g ", "lvs_method TUN type gue port ", "weight ", "-1", "99999999999999999999", "192.0.2.1-0 ", "1.2.3.4 ",
        "80 ", "0", "persistence_timeout", "lvs_timeouts tcp ", "-A ", "-a ", "-t ", "-r ", "-p ", "--tun-type ", ":", "\0", "\r",
    ];

    [Fact]
    public void LoadText_MutatedCorpus_NeverThrowsAndRefusesExactlyOnErrors()
    {
        var random = new Random(7);
        string[] seeds = [.. new[] { "full.conf", "groups.conf", "conditional.conf", "conf.d/10-udp.conf", "rules.ipvs" }
            .Select(f => File.ReadAllText(Corpus(f)))];
        string path = Corpus("fuzz.conf"); // its directory holds conf.d/, so mutated includes still find files
        for (int round = 0; round < 3000; round++)
        {
            string text = Mutate(seeds[random.Next(seeds.Length)], random);

            ConfigLoadResult r = ConfigLoader.LoadText(text, path, "x");

            Assert.Equal(r.Errors.Count == 0, r.Configuration is not null);
        }
    }

    [Fact]
    public void LoadText_RandomPieces_NeverThrows()
    {
        var random = new Random(11);
        for (int round = 0; round < 3000; round++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 60)).Select(_ => Pieces[random.Next(Pieces.Length)]));

            ConfigLoadResult r = ConfigLoader.LoadText(text, Corpus("fuzz.conf"), "x");

            Assert.Equal(r.Errors.Count == 0, r.Configuration is not null);
        }
    }

    [Fact]
    public void LoadText_DeeplyNestedBraces_IsRefusedWithoutExhaustingTheStack()
    {
        ConfigLoadResult r = ConfigLoader.LoadText("a " + new string('{', 200_000), "deep.conf");

        Assert.Null(r.Configuration);
        Assert.Contains(r.Errors, e => e.Message.Contains("nested deeper", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadText_RangeEndingAtTheLastAddress_Terminates()
    {
        ConfigLoadResult r = ConfigLoader.LoadText(
            "virtual_server_group g {\n 255.255.255.250-255 80\n}\nvirtual_server group g {\n lvs_sched rr\n}\n", "range.conf");

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(6, r.Configuration!.Services.Count);
    }

    private static string Mutate(string text, Random random)
    {
        var chars = new List<char>(text);
        for (int m = random.Next(1, 8); m > 0; m--)
        {
            int at = random.Next(chars.Count + 1);
            switch (random.Next(3))
            {
                case 0 when chars.Count > 0 && at < chars.Count:
                    chars.RemoveRange(at, Math.Min(random.Next(1, 12), chars.Count - at));
                    break;
                case 1:
                    chars.InsertRange(at, Pieces[random.Next(Pieces.Length)]);
                    break;
                default:
                    if (at < chars.Count)
                    {
                        chars[at] = (char)random.Next(0, 128);
                    }

                    break;
            }
        }

        return new string([.. chars]);
    }
}
