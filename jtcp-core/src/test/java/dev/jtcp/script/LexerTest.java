package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.script.Token.Kind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LexerTest {
    private static List<Token> lex(String s) {
        return Lexer.tokenize(s, Map.of(), Set.of());
    }

    private static List<String> texts(String s) {
        return lex(s).stream().filter(t -> !t.is(Kind.EOF)).map(t -> t.kind() + ":" + t.text()).toList();
    }

    @Test
    void numbersWordsAndPunctuation() {
        assertThat(texts("+0.1 < S. 0:0(0) win 65535"))
                .containsExactly("PUNCT:+", "FLOAT:0.1", "PUNCT:<", "WORD:S", "PUNCT:.", "INTEGER:0", "PUNCT::",
                        "INTEGER:0", "PUNCT:(", "INTEGER:0", "PUNCT:)", "WORD:win", "INTEGER:65535");
        assertThat(texts("0x1F -1 .5 1234abcd 192.0.2.1")).containsExactly("HEX:0x1F", "INTEGER:-1", "FLOAT:.5",
                "WORD:1234abcd", "IPV4:192.0.2.1");
    }

    @Test
    void blockingTimesSplitIntoNumberEllipsisNumber() {
        assertThat(texts("+0...0.200 +.1...0.2")).containsExactly("PUNCT:+", "INTEGER:0", "ELLIPSIS:...",
                "FLOAT:0.200", "PUNCT:+", "FLOAT:.1", "ELLIPSIS:...", "FLOAT:0.2");
    }

    @Test
    void commentsStringsCommandsCodeAndOptions() {
        assertThat(texts("""
                --tolerance_usecs=10000 // a comment
                /* a block
                   comment */ `sysctl -q x=1` "a\\"b" %{ assert tcpi_state == 1 }%
                """)).containsExactly("OPTION:--tolerance_usecs=10000", "BACKQUOTED:sysctl -q x=1", "STRING:a\"b",
                "CODE:assert tcpi_state == 1");
    }

    @Test
    void tokensKnowTheirLineColumnAndAdjacency() {
        List<Token> t = lex("0 socket()\n  +1 < S. 0:0(0)");
        Token s = t.get(7);
        assertThat(s.text()).isEqualTo("S");
        assertThat(s.line()).isEqualTo(2);
        assertThat(s.column()).isEqualTo(8);
        assertThat(t.get(8).start()).isEqualTo(s.end());
    }

    @Test
    void defineReplacesWordsWithTheTokensOfItsValue() {
        List<Token> t = Lexer.tokenize("x(PORT, NAME)", Map.of("PORT", "8080", "NAME", "\"hi\""), Set.of());
        assertThat(t.stream().map(Token::toString).toList()).containsExactly("'x'", "'('", "'8080'", "','", "\"hi\"",
                "')'", "end of script");
        assertThat(t.get(2).kind()).isEqualTo(Kind.INTEGER);
    }

    @Test
    void ifdefKeepsOrBlanksLinesAndPreservesNumbering() {
        String s = "a\n#ifdef linux\nb\n#endif\n#ifdef jtcp\nc\n#endif\nd";
        assertThat(Lexer.preprocess(s, Map.of(), Set.of("jtcp"))).isEqualTo("a\n\n\n\n\nc\n\nd");
        assertThat(Lexer.preprocess(s, Map.of("linux", ""), Set.of())).isEqualTo("a\n\nb\n\n\n\n\nd");
    }

    @Test
    void ifdefErrorsNameTheLine() {
        assertThatThrownBy(() -> Lexer.preprocess("#ifdef A\n#ifdef B\n#endif", Map.of(), Set.of()))
                .hasMessageContaining("line 2").hasMessageContaining("nested #ifdef");
        assertThatThrownBy(() -> Lexer.preprocess("x\n#ifdef A\n", Map.of(), Set.of()))
                .hasMessageContaining("line 2").hasMessageContaining("without #endif");
        assertThatThrownBy(() -> Lexer.preprocess("#endif", Map.of(), Set.of())).hasMessageContaining("without #ifdef");
        assertThatThrownBy(() -> Lexer.preprocess("#else", Map.of(), Set.of())).hasMessageContaining("not supported");
    }

    @Test
    void unterminatedThingsAreReportedWhereTheyStart() {
        assertThatThrownBy(() -> lex("0 `echo")).hasMessageContaining("line 1:3").hasMessageContaining("backquoted");
        assertThatThrownBy(() -> lex("\n /* x")).hasMessageContaining("line 2:2").hasMessageContaining("comment");
        assertThatThrownBy(() -> lex("%{ x")).hasMessageContaining("code block");
        assertThatThrownBy(() -> lex("\"abc")).hasMessageContaining("string");
    }
}
