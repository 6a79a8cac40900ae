namespace Lvs.Daemon.Config;

/// <summary>
/// Splits keepalived.conf text into words as keepalived's parser does: whitespace separates
/// words; '#' or '!' at the start of a word comments out the rest of the line; "double quotes"
/// make one word of text with spaces (no escapes, as keepalived has none); '{' and '}' are words
/// of their own. A statement is one line, so every token carries its line.
/// </summary>
public static class KeepalivedLexer
{
    /// <summary>The tokens of <paramref name="text"/>, read as file <paramref name="file"/>.</summary>
    public static IReadOnlyList<KeepalivedToken> Tokenize(string text, string file, List<ConfigDiagnostic> errors)
    {
        var tokens = new List<KeepalivedToken>();
        int line = 1, lineStart = 0, i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = ++i;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var at = new SourceLocation(file, line, i - lineStart + 1);
            if (c is '#' or '!')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}')
            {
                tokens.Add(new KeepalivedToken(c.ToString(), at));
                i++;
            }
            else if (c == '"')
            {
                int start = ++i;
                while (i < text.Length && text[i] != '"' && text[i] != '\n')
                {
                    i++;
                }

                if (i >= text.Length || text[i] != '"')
                {
                    // keepalived would take the rest of the line; a lost quote usually hides a mistake.
                    errors.Add(new ConfigDiagnostic(at, "unterminated quoted string"));
                    tokens.Add(new KeepalivedToken(text[start..i].TrimEnd('\r'), at, Quoted: true));
                }
                else
                {
                    tokens.Add(new KeepalivedToken(text[start..i], at, Quoted: true));
                    i++;
                }
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or '"'))
                {
                    i++;
                }

                tokens.Add(new KeepalivedToken(text[start..i], at));
            }
        }

        return tokens;
    }
}
