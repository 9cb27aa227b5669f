package xlstm.runtime.model;

/** The recurrent state of one block in step mode. */
interface BlockState {}
