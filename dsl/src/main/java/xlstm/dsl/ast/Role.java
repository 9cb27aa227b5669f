package xlstm.dsl.ast;

import java.util.Locale;

/** The section a declaration belongs to. */
public enum Role {
    /** per-step value, per batch element and head */
    INPUT,
    /** time-invariant, per head, shared by the batch */
    WEIGHT,
    /** carried from step to step, with an initial value */
    STATE,
    /** per-step result */
    OUTPUT,
    /** compile-time-known scalar argument: a float or a bool switch */
    PARAM;

    public String keyword() { return name().toLowerCase(Locale.ROOT); }
}
