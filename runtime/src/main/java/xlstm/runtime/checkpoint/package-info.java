/**
 * Checkpoint folders as users have them: {@link xlstm.runtime.checkpoint.Checkpoint} reads the configs and maps
 * the weights (sharded or not, converted on load when asked), {@link xlstm.runtime.checkpoint.CheckpointConverter}
 * rewrites a folder in another dtype, {@link xlstm.runtime.checkpoint.CheckpointWriter} writes sharded folders
 * atomically, {@link xlstm.runtime.checkpoint.RandomCheckpoint} makes random ones with the real layout, and
 * {@link xlstm.runtime.checkpoint.ProgressListener} reports progress in bytes.
 */
package xlstm.runtime.checkpoint;
