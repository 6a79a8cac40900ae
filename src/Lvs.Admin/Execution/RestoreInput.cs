namespace Lvs.Admin.Execution;

/// <summary>One command line of a restore file: its 1-based line number and its words.</summary>
internal sealed record RestoreLine(int Number, IReadOnlyList<string> Words);

/// <summary>
/// ipvsadm's config_stream_read, which -R feeds to process_options one line at a time: words
/// are separated by blanks, tabs and carriage returns, a line ends at a newline, a line with no
/// words is skipped, and every word "ipvsadm" is dropped (so a saved file may or may not start
/// its lines with it); lvsadm drops "lvsadm" likewise.
/// </summary>
/// <remarks>
/// config_stream_read says everything from a '#' on is ignored, but it looks for the '#' in
/// the separator after each word, never in the words, so ipvsadm 1.31 in fact refuses comment
/// lines. lvsadm does what the function promises: a word starting with '#' begins a comment
/// that runs to the end of the line.
/// </remarks>
internal static class RestoreInput
{
    private static readonly char[] s_separators = [' ', '\t', '\r'];

    public static List<RestoreLine> Read(TextReader input)
    {
        var lines = new List<RestoreLine>();
        int number = 0;
        while (input.ReadLine() is { } text)
        {
            number++;
            var words = new List<string>();
            foreach (string word in text.Split(s_separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith('#'))
                {
                    break;
                }

                if (word is not ("ipvsadm" or Errors.Program))
                {
                    words.Add(word);
                }
            }

            if (words.Count > 0)
            {
                lines.Add(new RestoreLine(number, words));
            }
        }

        return lines;
    }
}
