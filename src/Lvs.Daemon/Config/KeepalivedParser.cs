namespace Lvs.Daemon.Config;

/// <summary>
/// Builds the statement tree of a keepalived.conf: one statement per line, a '{' on the same line
/// (or alone on the next) opening its block, '}' closing it; <c>include</c> splices the statements of
/// the files its pattern matches in its place. Lines starting with <c>@id</c> / <c>@^id</c> are kept
/// only when the config id (the short host name, as keepalived's default) matches / does not match.
/// </summary>
public sealed class KeepalivedParser
{
    /// <summary>Deeper include chains are refused: keepalived has no limit, but a chain this long is a mistake.</summary>
    public const int MaxIncludeDepth = 32;

    /// <summary>Blocks nested deeper are refused (keepalived's deepest is four), so hostile input cannot exhaust the stack.</summary>
    public const int MaxBlockDepth = 64;

    private readonly DiagnosticBag _diagnostics;
    private readonly string _configId;
    private readonly List<string> _files = [];
    private readonly Stack<string> _including = new();
    private int _blockDepth;

    internal KeepalivedParser(DiagnosticBag diagnostics, string? configId)
    {
        _diagnostics = diagnostics;
        _configId = configId ?? DefaultConfigId();
    }

    /// <summary>keepalived's default config id: the node name up to its first dot.</summary>
    public static string DefaultConfigId()
    {
        string name = Environment.MachineName;
        int dot = name.IndexOf('.');
        return dot < 0 ? name : name[..dot];
    }

    /// <summary>Parses <paramref name="text"/>, the contents of <paramref name="path"/>, and everything it includes.</summary>
    internal KeepalivedDocument Parse(string path, string text)
    {
        string full = Path.GetFullPath(path);
        _files.Add(full);
        _including.Push(full);
        List<KeepalivedNode> statements = ParseTokens(Lex(text, path), Path.GetDirectoryName(full) ?? "/");
        _including.Pop();
        return new KeepalivedDocument(path, statements, _files);
    }

    private List<KeepalivedNode>? ParseFile(string fullPath, string shownName, SourceLocation includedFrom)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _diagnostics.Error(includedFrom, $"cannot read '{shownName}': {e.Message}");
            return null;
        }

        _files.Add(fullPath);
        _including.Push(fullPath);
        try
        {
            return ParseTokens(Lex(text, shownName), Path.GetDirectoryName(fullPath) ?? "/");
        }
        finally
        {
            _including.Pop();
        }
    }

    private IReadOnlyList<KeepalivedToken> Lex(string text, string name)
    {
        var errors = new List<ConfigDiagnostic>();
        IReadOnlyList<KeepalivedToken> tokens = KeepalivedLexer.Tokenize(text, name, errors);
        _diagnostics.Errors.AddRange(errors);
        return tokens;
    }

    private List<KeepalivedNode> ParseTokens(IReadOnlyList<KeepalivedToken> tokens, string directory)
    {
        int pos = 0;
        List<KeepalivedNode> top = ParseBlock(tokens, ref pos, opener: null, directory);
        return top;
    }

    private List<KeepalivedNode> ParseBlock(IReadOnlyList<KeepalivedToken> tokens, ref int pos, KeepalivedToken? opener, string directory)
    {
        if (opener is { } deep && _blockDepth >= MaxBlockDepth)
        {
            _diagnostics.Error(deep.Location, $"blocks nested deeper than {MaxBlockDepth} levels");
            SkipBlock(tokens, ref pos);
            return [];
        }

        _blockDepth++;
        try
        {
            return ParseBlockBody(tokens, ref pos, opener, directory);
        }
        finally
        {
            _blockDepth--;
        }
    }

    /// <summary>Moves past the '}' that closes an already opened block, without recursion.</summary>
    private static void SkipBlock(IReadOnlyList<KeepalivedToken> tokens, ref int pos)
    {
        for (int open = 1; pos < tokens.Count && open > 0; pos++)
        {
            open += tokens[pos].IsOpenBrace ? 1 : tokens[pos].IsCloseBrace ? -1 : 0;
        }
    }

    private List<KeepalivedNode> ParseBlockBody(IReadOnlyList<KeepalivedToken> tokens, ref int pos, KeepalivedToken? opener, string directory)
    {
        var list = new List<KeepalivedNode>();
        bool lastTakesBlock = false; // the previous statement may still get a '{' written on the next line
        while (pos < tokens.Count)
        {
            KeepalivedToken t = tokens[pos];
            if (t.IsCloseBrace)
            {
                pos++;
                if (opener is not null)
                {
                    return list;
                }

                _diagnostics.Error(t.Location, "unexpected '}' (no block is open)");
                continue;
            }

            if (t.IsOpenBrace)
            {
                pos++;
                List<KeepalivedNode> block = ParseBlock(tokens, ref pos, t, directory);
                if (lastTakesBlock)
                {
                    list[^1] = list[^1] with { Children = block };
                }
                else
                {
                    _diagnostics.Error(t.Location, "'{' without a keyword before it");
                }

                lastTakesBlock = false;
                continue;
            }

            KeepalivedNode? node = ParseStatement(tokens, ref pos, directory, out bool hasBlock);
            if (node is null)
            {
                lastTakesBlock = false;
                continue;
            }

            if (node.Name == "include" && !node.Keyword.Quoted)
            {
                list.AddRange(Include(node, directory));
                lastTakesBlock = false;
                continue;
            }

            list.Add(node);
            lastTakesBlock = !hasBlock;
        }

        if (opener is { } o)
        {
            _diagnostics.Error(o.Location, "missing '}': the block opened here is not closed");
        }

        return list;
    }

    /// <summary>One line's statement and its block; null for a line dropped by a conditional.</summary>
    private KeepalivedNode? ParseStatement(IReadOnlyList<KeepalivedToken> tokens, ref int pos, string directory, out bool hasBlock)
    {
        KeepalivedToken keyword = tokens[pos++];
        int line = keyword.Location.Line;
        var args = new List<KeepalivedToken>();
        while (pos < tokens.Count && tokens[pos].Location.Line == line && !tokens[pos].IsOpenBrace && !tokens[pos].IsCloseBrace)
        {
            args.Add(tokens[pos++]);
        }

        List<KeepalivedNode>? children = null;
        if (pos < tokens.Count && tokens[pos].IsOpenBrace && tokens[pos].Location.Line == line)
        {
            KeepalivedToken open = tokens[pos++];
            children = ParseBlock(tokens, ref pos, open, directory);
        }

        hasBlock = children is not null;
        if (!keyword.Quoted && keyword.Text.StartsWith('@'))
        {
            bool negate = keyword.Text.StartsWith("@^", StringComparison.Ordinal);
            string id = keyword.Text[(negate ? 2 : 1)..];
            if ((id == _configId) == negate || args.Count == 0)
            {
                return null;
            }

            keyword = args[0];
            args.RemoveAt(0);
        }

        return new KeepalivedNode(keyword, args, children);
    }

    private List<KeepalivedNode> Include(KeepalivedNode include, string directory)
    {
        var result = new List<KeepalivedNode>();
        if (include.Arguments.Count != 1 || include.HasBlock)
        {
            _diagnostics.Error(include.Location, "include takes one file name or pattern");
            return result;
        }

        KeepalivedToken pattern = include.Arguments[0];
        IReadOnlyList<string> files;
        try
        {
            files = IncludeGlob.Expand(pattern.Text, directory);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _diagnostics.Error(pattern.Location, $"bad include file name '{pattern.Text}': {e.Message}");
            return result;
        }

        if (files.Count == 0)
        {
            if (IncludeGlob.HasWildcard(pattern.Text))
            {
                // glob(3) finding nothing is not an error for keepalived either.
                _diagnostics.Warn(pattern.Location, $"include pattern '{pattern.Text}' matches no file");
            }
            else
            {
                _diagnostics.Error(pattern.Location, $"included file '{pattern.Text}' does not exist");
            }

            return result;
        }

        foreach (string file in files)
        {
            if (_including.Contains(file))
            {
                string chain = string.Join(" -> ", _including.Reverse().Append(file));
                _diagnostics.Error(pattern.Location, $"include cycle: {chain}");
                continue;
            }

            if (_including.Count >= MaxIncludeDepth)
            {
                _diagnostics.Error(pattern.Location, $"includes nested deeper than {MaxIncludeDepth} files");
                continue;
            }

            List<KeepalivedNode>? nodes = ParseFile(file, file, pattern.Location);
            if (nodes is not null)
            {
                result.AddRange(nodes);
            }
        }

        return result;
    }
}
