namespace Lvs.Daemon.Config;

/// <summary>One word of a keepalived.conf line: a bare word, a quoted string (quotes removed), or a brace.</summary>
/// <param name="Quoted">Written in double quotes: never a brace or a comment, whatever it contains.</param>
public readonly record struct KeepalivedToken(string Text, SourceLocation Location, bool Quoted = false)
{
    public bool IsOpenBrace => !Quoted && Text == "{";

    public bool IsCloseBrace => !Quoted && Text == "}";

    public override string ToString() => Text;
}

/// <summary>
/// A statement of keepalived.conf: a keyword, its arguments, and the block that follows it, if any.
/// Every statement is kept as written, whether lvsd acts on it or not (checkers, VRRP), so later
/// features read this tree and the parser never changes shape.
/// </summary>
/// <param name="Children">The statements of its <c>{ }</c> block; null when the statement has no block.</param>
public sealed record KeepalivedNode(
    KeepalivedToken Keyword,
    IReadOnlyList<KeepalivedToken> Arguments,
    IReadOnlyList<KeepalivedNode>? Children)
{
    public string Name => Keyword.Text;

    public SourceLocation Location => Keyword.Location;

    public bool HasBlock => Children is not null;

    /// <summary>The argument at <paramref name="index"/>, or null when there are fewer.</summary>
    public KeepalivedToken? Argument(int index) => index < Arguments.Count ? Arguments[index] : null;

    /// <summary>The statements of the block named <paramref name="keyword"/>, in file order.</summary>
    public IEnumerable<KeepalivedNode> ChildrenNamed(string keyword) =>
        (Children ?? []).Where(c => c.Name == keyword);

    public override string ToString() =>
        $"{Name}{string.Concat(Arguments.Select(a => " " + a.Text))}{(HasBlock ? " { ... }" : "")}";
}

/// <summary>A parsed keepalived.conf with its includes spliced in where they were written.</summary>
/// <param name="Files">Every file read, the main one first (full paths).</param>
public sealed record KeepalivedDocument(string Path, IReadOnlyList<KeepalivedNode> Statements, IReadOnlyList<string> Files)
{
    /// <summary>The top-level statements named <paramref name="keyword"/> (vrrp_instance, ...), in file order.</summary>
    public IEnumerable<KeepalivedNode> StatementsNamed(string keyword) => Statements.Where(s => s.Name == keyword);
}
