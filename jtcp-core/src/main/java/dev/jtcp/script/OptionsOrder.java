package dev.jtcp.script;

/** How an outbound line's option list is compared with the options the stack sent. */
public enum OptionsOrder {
    /** Kind by kind in wire order, NOP and EOL included (packetdrill's rule). */
    EXACT,
    /** The same options regardless of order and NOP/EOL padding, for scripts written for other stacks' layouts. */
    ANY
}
