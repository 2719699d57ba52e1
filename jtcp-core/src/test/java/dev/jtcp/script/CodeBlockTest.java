package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CodeBlockTest {
    private static final Map<String, Long> INFO = Map.of("tcpi_state", 1L, "tcpi_snd_cwnd", 10L, "tcpi_rto", 300000L);

    private static String check(String code) {
        return CodeBlock.check(code, 7, CodeBlock.names(INFO));
    }

    @Test
    void assertionsThatHold() {
        assertThat(check("assert tcpi_state == TCPI_ESTABLISHED")).isNull();
        assertThat(check("assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd")).isNull();
        assertThat(check("assert 200000 <= tcpi_rto < 400000 and not tcpi_state == TCP_CLOSE")).isNull();
        assertThat(check("assert (tcpi_snd_cwnd * 3 + 2) // 4 == 8 or False")).isNull();
        assertThat(check("# a comment\nassert tcpi_rto % 1000 == 0; assert -tcpi_state < 0")).isNull();
    }

    @Test
    void bitwiseOperatorsBindAsInPythonBetweenComparisonsAndSums() {
        Map<String, Long> info = Map.of("tcpi_options", 32L | 4L | 1L);
        assertThat(CodeBlock.check("assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options", 1,
                CodeBlock.names(info))).isNull();
        assertThat(CodeBlock.check("assert tcpi_options & TCPI_OPT_SACK == 0", 1, CodeBlock.names(info)))
                .as("& binds tighter than ==: (37 & 2) == 0").isNull();
        assertThat(CodeBlock.check("assert 1 << 3 | 1 == 9 and 0x30 >> 4 ^ 1 == 2", 1, CodeBlock.names(info))).isNull();
        assertThat(CodeBlock.check("assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0", 1, CodeBlock.names(info)))
                .startsWith("assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0 failed");
    }

    @Test
    void aFailingAssertionSaysWhichAndTheValues() {
        assertThat(check("assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd"))
                .isEqualTo("assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd failed (tcpi_snd_cwnd = 10) with tcpi_snd_cwnd=10");
        assertThat(check("assert tcpi_state == 1\nassert 1 < 2 < 2")).startsWith("assert 1 < 2 < 2 failed");
    }

    @Test
    void anythingElseIsUnsupported() {
        assertThatThrownBy(() -> check("import os")).isInstanceOf(ScriptUnsupportedException.class)
                .hasMessageContaining("only 'assert EXPR'");
        assertThatThrownBy(() -> check("print(tcpi_unacked)")).hasMessageContaining("'tcpi_unacked' is not available");
        assertThatThrownBy(() -> check("assert tcpi_unacked == 1")).hasMessageContaining("'tcpi_unacked' is not available");
        assertThatThrownBy(() -> check("assert tcpi_state in (1, 2)")).isInstanceOf(ScriptUnsupportedException.class);
    }

    @Test
    void printEvaluatesItsArgumentsAndChangesNoOutcome() {
        assertThat(check("print(tcpi_snd_cwnd); assert tcpi_snd_cwnd == 10")).isNull();
        assertThat(check("print(tcpi_snd_cwnd, tcpi_rto * 2)\nassert tcpi_snd_cwnd == 4"))
                .startsWith("assert tcpi_snd_cwnd == 4 failed");
        assertThatThrownBy(() -> check("print(tcpi_snd_cwnd tcpi_rto)")).isInstanceOf(ScriptUnsupportedException.class);
    }

    @Test
    void assignmentsAreRememberedForLaterStatementsAndBlocks() {
        java.util.Map<String, Long> vars = new java.util.HashMap<>();
        assertThat(CodeBlock.check("TCP_INFINITE_SSTHRESH = 0x7fffffff", 1, CodeBlock.names(INFO), vars)).isNull();
        assertThat(vars).containsEntry("TCP_INFINITE_SSTHRESH", 2147483647L);
        assertThat(CodeBlock.check("x = 2 * 3; assert x == 6", 2, CodeBlock.names(INFO), vars)).isNull();
        assertThat(CodeBlock.check("assert TCP_INFINITE_SSTHRESH == 5", 3, CodeBlock.names(INFO), vars))
                .startsWith("assert TCP_INFINITE_SSTHRESH == 5 failed");
        assertThatThrownBy(() -> CodeBlock.check("tcpi_snd_cwnd = 3", 4, CodeBlock.names(INFO), vars))
                .isInstanceOf(ScriptUnsupportedException.class);
    }
}
