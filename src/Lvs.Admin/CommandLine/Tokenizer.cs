namespace Lvs.Admin.CommandLine;

/// <summary>One option as popt hands it out, or the error popt reports at that point.</summary>
/// <param name="Spec">The option; null when <paramref name="Error"/> is set.</param>
/// <param name="Argument">The option's argument, if it takes one and one was given.</param>
/// <param name="Word">The command-line word popt names in its messages (poptBadOption): the last word consumed.</param>
/// <param name="Error">popt's error text ("unknown option", "missing argument", ...), or null.</param>
internal sealed record OptionToken(OptionSpec? Spec, string? Argument, string Word, string? Error);

/// <summary>The options in command-line order, and the words that were not options.</summary>
internal sealed record TokenizedArgs(IReadOnlyList<OptionToken> Options, IReadOnlyList<string> Leftovers);

/// <summary>
/// Splits argv the way popt does for ipvsadm: short options clustered ("-Ln"), a short
/// option's argument attached ("-tVIP:80", popt skips one '=') or in the next word,
/// "--long=value" or "--long value", long names matched exactly, "--" ends the options,
/// and non-option words may appear anywhere (popt permutes them to the end).
/// </summary>
internal static class Tokenizer
{
    public const string UnknownOption = "unknown option";
    public const string MissingArgument = "missing argument";
    public const string UnwantedArgument = "option does not take an argument";

    public static TokenizedArgs Tokenize(IReadOnlyList<string> args)
    {
        var options = new List<OptionToken>();
        var leftovers = new List<string>();
        int next = 0;
        while (next < args.Count)
        {
            string word = args[next++];
            if (word == "--")
            {
                for (; next < args.Count; next++)
                {
                    leftovers.Add(args[next]);
                }

                break;
            }

            if (word.Length < 2 || word[0] != '-')
            {
                leftovers.Add(word);
                continue;
            }

            if (word[1] == '-')
            {
                options.Add(ReadLong(word, args, ref next));
                continue;
            }

            // A cluster of short options: each letter is one option until one takes an argument.
            for (int i = 1; i < word.Length; i++)
            {
                OptionSpec? spec = OptionTable.FindShort(word[i]);
                if (spec is null)
                {
                    options.Add(new OptionToken(null, null, word, UnknownOption));
                    break;
                }

                if (spec.Argument == ArgumentKind.None)
                {
                    options.Add(new OptionToken(spec, null, word, null));
                    continue;
                }

                string rest = word[(i + 1)..];
                if (rest.Length > 0)
                {
                    options.Add(new OptionToken(spec, rest[0] == '=' ? rest[1..] : rest, word, null));
                }
                else
                {
                    options.Add(TakeNextWord(spec, word, args, ref next));
                }

                break;
            }
        }

        return new TokenizedArgs(options, leftovers);
    }

    private static OptionToken ReadLong(string word, IReadOnlyList<string> args, ref int next)
    {
        ReadOnlySpan<char> body = word.AsSpan(2);
        int eq = body.IndexOf('=');
        ReadOnlySpan<char> name = eq >= 0 ? body[..eq] : body;
        OptionSpec? spec = OptionTable.FindLong(name);
        if (spec is null)
        {
            return new OptionToken(null, null, word, UnknownOption);
        }

        if (eq >= 0)
        {
            return spec.Argument == ArgumentKind.None
                ? new OptionToken(null, null, word, UnwantedArgument)
                : new OptionToken(spec, body[(eq + 1)..].ToString(), word, null);
        }

        return spec.Argument == ArgumentKind.None
            ? new OptionToken(spec, null, word, null)
            : TakeNextWord(spec, word, args, ref next);
    }

    private static OptionToken TakeNextWord(OptionSpec spec, string word, IReadOnlyList<string> args, ref int next)
    {
        if (spec.Argument == ArgumentKind.Optional)
        {
            if (next < args.Count && !args[next].StartsWith('-'))
            {
                string value = args[next++];
                return new OptionToken(spec, value, value, null);
            }

            return new OptionToken(spec, null, word, null);
        }

        if (next >= args.Count)
        {
            return new OptionToken(null, null, word, MissingArgument);
        }

        string argument = args[next++];
        return new OptionToken(spec, argument, argument, null);
    }
}
