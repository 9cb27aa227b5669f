package xlstm.codegen.schedule;

/** The schedules a compiled unit can have (each a public entry point of the emitted class). */
public enum ScheduleKind {
    /** one time step, states in place */
    STEP("step"),
    /** S time steps by repeating the step (the recurrent schedule) */
    SEQUENCE("sequence"),
    /** chunks of a runtime chunk size: intra-chunk quadratic form plus inter-chunk state recurrence; any S */
    CHUNKWISE("chunkwise"),
    /** the quadratic form over the whole sequence, zero initial state, no state out */
    PARALLEL("parallel"),
    /** a stateless kernel over rows */
    ROWS("apply");

    private final String method;

    ScheduleKind(String method) { this.method = method; }

    /** Name of the public method of the emitted class. */
    public String method() { return method; }
}
