package io.quiver.worker.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The residual stream of a forward pass: each row's hidden state, to which every layer
 * adds its attention and MLP outputs, and which RMSNorm turns into the input of the next
 * projection.
 *
 * <p>
 * On the CPU the stream is a Java array. As tensors, each layer's two additions and two
 * norms are a dozen PyTorch ops on a few dozen kilobytes, where each op's fixed cost
 * dominates: 12 ms of a 32-row decode step of a SmolLM2-sized model. In Java the same
 * work is two reads of the projections' outputs and two small arrays handed to the next
 * projection. The additions give the same bits as PyTorch's; the norm sums the squares in
 * double, as {@link NaiveKernels#rmsNorm}, so it may differ from {@link Kernels#rmsNorm}
 * in the last bit. On other devices the stream stays a tensor and takes
 * {@link Kernels#rmsNorm}.
 */
public final class ResidualStream {

	private final NDManager manager;

	private final int rows;

	private final int hidden;

	// the rows on the CPU, [rows · hidden] row-major; else null
	private final float[] host;

	// the rows as a tensor, when not on the CPU
	private NDArray tensor;

	// on the CPU, the buffers of the last addition's operand and the last norm's rows,
	// reused by the next (see Kernels.reuse)
	private float[] added;

	private float[] normed;

	private ResidualStream(NDManager manager, int rows, int hidden, float[] host, NDArray tensor) {
		this.manager = manager;
		this.rows = rows;
		this.hidden = hidden;
		this.host = host;
		this.tensor = tensor;
	}

	/**
	 * Starts a stream from the embedded tokens.
	 * @param embedded {@code [rows, hidden]}
	 * @param inJava whether to keep the stream as a Java array (on the CPU)
	 * @return the stream; tensors it hands out belong to the current scope
	 */
	public static ResidualStream of(NDArray embedded, boolean inJava) {
		Shape shape = embedded.getShape();
		int rows = Math.toIntExact(shape.get(0));
		int hidden = Math.toIntExact(shape.get(1));
		return inJava ? new ResidualStream(embedded.getManager(), rows, hidden, Kernels.rowMajor(embedded), null)
				: new ResidualStream(embedded.getManager(), rows, hidden, null, embedded);
	}

	/**
	 * Adds a layer's output to every row.
	 * @param y {@code [rows, hidden]}, in any layout
	 */
	public void add(NDArray y) {
		if (this.host == null) {
			this.tensor = this.tensor.add(y);
			return;
		}
		float[] values = Kernels.rowMajor(y, this.added);
		this.added = values;
		add(values);
	}

	/**
	 * Adds a layer's output rows to a stream kept in Java.
	 * @param values {@code [rows · hidden]} row-major
	 */
	public void add(float[] values) {
		if (this.host == null || values.length != this.host.length) {
			throw new IllegalArgumentException("expected " + this.rows + " rows of " + this.hidden + " in Java");
		}
		for (int i = 0; i < values.length; i++) {
			this.host[i] += values[i];
		}
	}

	/**
	 * The rows of a stream kept in Java, which callers may add to in place.
	 * @return {@code [rows · hidden]} row-major, or null if the stream is a tensor
	 */
	public float[] rows() {
		return this.host;
	}

	/**
	 * RMSNorm of every row, as Hugging Face's {@code LlamaRMSNorm}.
	 * @param weight the norm's weight, {@code [hidden]}
	 * @param weightValues the same as an array
	 * @param eps {@code rms_norm_eps}
	 * @return {@code [rows, hidden]}
	 */
	public NDArray norm(NDArray weight, float[] weightValues, float eps) {
		return norm(weight, weightValues, eps, null);
	}

	/**
	 * RMSNorm of some rows.
	 * @param weight the norm's weight, {@code [hidden]}
	 * @param weightValues the same as an array
	 * @param eps {@code rms_norm_eps}
	 * @param picked the rows, in the order wanted, or null for all
	 * @return {@code [picked rows, hidden]}
	 */
	public NDArray norm(NDArray weight, float[] weightValues, float eps, int[] picked) {
		boolean all = picked == null || isIdentity(picked, this.rows);
		if (this.host == null) {
			NDArray x = all ? this.tensor : this.tensor.get(new NDIndex("{}", Torch.indices(this.manager, picked)));
			return Kernels.rmsNorm(x, weight, eps);
		}
		int count = all ? this.rows : picked.length;
		// the tensor returned is a copy, so the buffer serves the next norm
		float[] out = Kernels.reuse(this.normed, count * this.hidden);
		this.normed = out;
		for (int r = 0; r < count; r++) {
			int from = (all ? r : picked[r]) * this.hidden;
			double sum = 0;
			for (int i = 0; i < this.hidden; i++) {
				float v = this.host[from + i];
				sum += (double) v * v;
			}
			float inverse = (float) (1.0 / Math.sqrt(sum / this.hidden + eps));
			int to = r * this.hidden;
			for (int i = 0; i < this.hidden; i++) {
				out[to + i] = this.host[from + i] * inverse * weightValues[i];
			}
		}
		return Torch.tensor(this.manager, out, new Shape(count, this.hidden));
	}

	private static boolean isIdentity(int[] rows, int count) {
		if (rows.length != count) {
			return false;
		}
		for (int i = 0; i < rows.length; i++) {
			if (rows[i] != i) {
				return false;
			}
		}
		return true;
	}

}
