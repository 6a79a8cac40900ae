using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Tests.CommandLine;

public class TokenizerTests
{
    [Fact]
    public void Tokenize_ClusteredShortOptions_EachLetterIsAnOption()
    {
        TokenizedArgs t = Tokenizer.Tokenize(["-Ln"]);

        Assert.Equal([OptionId.List, OptionId.Numeric], t.Options.Select(o => o.Spec!.Id));
        Assert.Empty(t.Leftovers);
    }

    [Fact]
    public void Tokenize_ClusterEndingInArgumentOption_TakesNextWord()
    {
        TokenizedArgs t = Tokenizer.Tokenize(["-At", "192.0.2.10:80", "-s", "rr"]);

        Assert.Equal([OptionId.AddService, OptionId.TcpService, OptionId.Scheduler], t.Options.Select(o => o.Spec!.Id));
        Assert.Equal("192.0.2.10:80", t.Options[1].Argument);
        Assert.Equal("rr", t.Options[2].Argument);
    }

    [Theory]
    [InlineData("-t192.0.2.10:80")]
    [InlineData("-t=192.0.2.10:80")]
    [InlineData("--tcp-service=192.0.2.10:80")]
    public void Tokenize_AttachedArgument_IsTheArgument(string word)
    {
        TokenizedArgs t = Tokenizer.Tokenize([word]);

        Assert.Equal(OptionId.TcpService, t.Options[0].Spec!.Id);
        Assert.Equal("192.0.2.10:80", t.Options[0].Argument);
    }

    [Fact]
    public void Tokenize_LongOptionWithSeparateArgument_TakesNextWordEvenIfDash()
    {
        TokenizedArgs t = Tokenizer.Tokenize(["--weight", "-1"]);

        Assert.Equal("-1", t.Options[0].Argument);
    }

    [Fact]
    public void Tokenize_UnknownLongOption_ReportsUnknownOption()
    {
        OptionToken token = Tokenizer.Tokenize(["--bogus"]).Options[0];

        Assert.Null(token.Spec);
        Assert.Equal("--bogus", token.Word);
        Assert.Equal(Tokenizer.UnknownOption, token.Error);
    }

    [Fact]
    public void Tokenize_LongNamePrefix_IsNotAnAbbreviation()
    {
        Assert.Equal(Tokenizer.UnknownOption, Tokenizer.Tokenize(["--lis"]).Options[0].Error);
    }

    [Fact]
    public void Tokenize_ArgumentMissingAtEnd_ReportsMissingArgument()
    {
        OptionToken token = Tokenizer.Tokenize(["-L", "-t"]).Options[1];

        Assert.Equal(Tokenizer.MissingArgument, token.Error);
        Assert.Equal("-t", token.Word);
    }

    [Fact]
    public void Tokenize_ValueOnFlagOption_ReportsUnwantedArgument()
    {
        Assert.Equal(Tokenizer.UnwantedArgument, Tokenizer.Tokenize(["--numeric=1"]).Options[0].Error);
    }

    [Fact]
    public void Tokenize_WordsAnywhereAndAfterDoubleDash_AreLeftovers()
    {
        TokenizedArgs t = Tokenizer.Tokenize(["foo", "-L", "-", "--", "-n"]);

        Assert.Equal([OptionId.List], t.Options.Select(o => o.Spec!.Id));
        Assert.Equal(["foo", "-", "-n"], t.Leftovers);
    }

    [Fact]
    public void Tokenize_OptionalArgument_SkipsWordStartingWithDash()
    {
        TokenizedArgs t = Tokenizer.Tokenize(["-p", "-n", "-p", "300"]);

        Assert.Null(t.Options[0].Argument);
        Assert.Equal(OptionId.Numeric, t.Options[1].Spec!.Id);
        Assert.Equal("300", t.Options[2].Argument);
    }

    [Fact]
    public void Tokenize_RandomWords_NeverThrows()
    {
        var random = new Random(1234);
        const string alphabet = "-=ALnt:rmsw0123456789.abc[]x";
        for (int round = 0; round < 5000; round++)
        {
            var args = new string[random.Next(0, 6)];
            for (int i = 0; i < args.Length; i++)
            {
                char[] chars = new char[random.Next(0, 8)];
                for (int c = 0; c < chars.Length; c++)
                {
                    chars[c] = alphabet[random.Next(alphabet.Length)];
                }

                args[i] = new string(chars);
            }

            TokenizedArgs t = Tokenizer.Tokenize(args);
            Assert.All(t.Options, o => Assert.True(o.Spec is not null ^ o.Error is not null));
        }
    }
}
