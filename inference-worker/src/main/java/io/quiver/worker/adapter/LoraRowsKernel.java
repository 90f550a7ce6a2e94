package io.quiver.worker.adapter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LoRA deltas of rows that each have their own adapter (decode rows), computed on the
 * CPU straight from a {@link LoraBank}'s memory with the Vector API.
 *
 * <p>
 * In decode every row reads its own adapter's factors once, two FLOPs for every float
 * read, so this work is a stream of the factors from memory. PyTorch's CPU batched matmul
 * runs these matrix-vector-shaped products well below the memory's bandwidth (the
 * {@code q}, {@code k}, {@code v} factors of 32 rank-16 adapters over 30 layers: 28 ms, 6
 * GB/s, on a 2-vCPU EPYC), because each slot is a separate tiny product. Here each thread
 * streams whole factor rows for its rows: four rows of {@code A} against one input row,
 * then {@code u} times four rows of {@code B} accumulated into the output row, 13 ms for
 * the same work. Ranks below the bank's, and modules the adapter does not target, are
 * skipped rather than read as zeros.
 *
 * <p>
 * Helper threads and the caller take rows one at a time, so the caller starts at once and
 * never waits for a parked helper to wake (tens of microseconds on a VM, as long as a job
 * of eight rows); it waits only for rows a helper is still on.
 *
 * <p>
 * Only {@link LoraBank} uses this class, and only after {@link #available()}: the
 * {@code jdk.incubator.vector} module must be in the boot layer
 * ({@code --add-modules jdk.incubator.vector}), or loading this class fails.
 */
final class LoraRowsKernel {

	private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

	private static final ByteOrder ORDER = ByteOrder.nativeOrder();

	private static final int HELPER_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

	// they take rows of a job, as does its caller
	private static final ExecutorService HELPERS = Executors.newFixedThreadPool(HELPER_THREADS, (task) -> {
		Thread thread = new Thread(task, "quiver-lora-rows");
		thread.setDaemon(true);
		return thread;
	});

	private LoraRowsKernel() {
	}

	/**
	 * Whether the Vector API is present, so that this class can be loaded.
	 * @return whether the kernel can run
	 */
	static boolean available() {
		return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
	}

	/**
	 * One group's factors in one layer of a bank, and the rows to apply them to.
	 *
	 * @param a the group's first factors, {@code [capacity, k·R, in]} float32
	 * @param b each module's {@code scale·Bᵀ}, {@code [capacity, R, out]} float32
	 * @param modules the group's modules' indices in {@link LoraWeights#MODULES}
	 * @param outs each module's output width
	 * @param in the input width
	 * @param rank the bank's rank R
	 * @param ranks each slot's own rank
	 * @param targets each slot's targeted modules, a bit per module index
	 */
	record Factors(MemorySegment a, MemorySegment[] b, int[] modules, int[] outs, int in, int rank, int[] ranks,
			int[] targets) {

		int width() {
			int width = 0;
			for (int out : this.outs) {
				width += out;
			}
			return width;
		}

	}

	/**
	 * Writes every row's delta, {@code delta[r] = Σ_modules (A_m·x[r])ᵀ·B_m} of the row's
	 * slot (zeros where the slot does not target a module).
	 * @param factors the layer's factors of one group
	 * @param slotOfRow each row's slot
	 * @param x the input rows, {@code [rows, in]} float32 row-major
	 * @param delta the output, {@code [rows, width]} float32 row-major, overwritten
	 */
	static void apply(Factors factors, int[] slotOfRow, MemorySegment x, MemorySegment delta) {
		Job job = new Job(factors, slotOfRow, x, delta);
		for (int i = 0; i < Math.min(HELPER_THREADS, slotOfRow.length - 1); i++) {
			HELPERS.execute(job::work);
		}
		job.finish();
	}

	/**
	 * Rows of one job, taken one at a time by whichever thread comes first.
	 */
	private static final class Job {

		private final Factors factors;

		private final int[] slotOfRow;

		private final MemorySegment x;

		private final MemorySegment delta;

		private final AtomicInteger next = new AtomicInteger();

		private final AtomicInteger done = new AtomicInteger();

		private volatile Throwable failure;

		private Job(Factors factors, int[] slotOfRow, MemorySegment x, MemorySegment delta) {
			this.factors = factors;
			this.slotOfRow = slotOfRow;
			this.x = x;
			this.delta = delta;
		}

		private void work() {
			Scratch scratch = new Scratch(this.factors);
			int rows = this.slotOfRow.length;
			for (int r = this.next.getAndIncrement(); r < rows; r = this.next.getAndIncrement()) {
				try {
					row(this.factors, this.slotOfRow[r], this.x, this.delta, r, scratch);
				}
				catch (RuntimeException | Error ex) {
					this.failure = ex;
				}
				this.done.incrementAndGet();
			}
		}

		/**
		 * Computes the rows nobody has taken yet, then waits for the rows helpers are
		 * still on (at most one each).
		 */
		void finish() {
			work();
			int rows = this.slotOfRow.length;
			for (int spins = 0; this.done.get() < rows; spins++) {
				if (spins < 10_000) {
					Thread.onSpinWait();
				}
				else {
					Thread.yield();
				}
			}
			Throwable failed = this.failure;
			if (failed != null) {
				throw new IllegalStateException("LoRA delta computation failed", failed);
			}
		}

	}

	/** One thread's row buffers. */
	private record Scratch(float[] row, float[] u, float[] d) {

		Scratch(Factors f) {
			this(new float[f.in()], new float[f.rank()], new float[f.width()]);
		}

	}

	private static void row(Factors f, int slot, MemorySegment x, MemorySegment delta, int r, Scratch scratch) {
		int in = f.in();
		int rank = f.rank();
		int width = f.width();
		float[] row = scratch.row();
		float[] u = scratch.u();
		float[] d = scratch.d();
		long aSlot = (long) f.modules().length * rank * in * Float.BYTES;
		int ownRank = f.ranks()[slot];
		MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * in * Float.BYTES, row, 0, in);
		Arrays.fill(d, 0f);
		int column = 0;
		for (int i = 0; i < f.modules().length; i++) {
			int out = f.outs()[i];
			if ((f.targets()[slot] & (1 << f.modules()[i])) != 0) {
				long a = slot * aSlot + (long) i * rank * in * Float.BYTES;
				shrink(f.a(), a, row, in, ownRank, u);
				long b = (long) slot * rank * out * Float.BYTES;
				expand(f.b()[i], b, u, ownRank, out, d, column);
			}
			column += out;
		}
		MemorySegment.copy(d, 0, delta, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * width * Float.BYTES, width);
	}

	/**
	 * {@code u[j] = A[j]·x} for the first {@code rank} rows of {@code A}, four rows per
	 * pass over {@code x}.
	 */
	private static void shrink(MemorySegment a, long offset, float[] x, int in, int rank, float[] u) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(in);
		long rowBytes = (long) in * Float.BYTES;
		int j = 0;
		for (; j + 4 <= rank; j += 4) {
			long o0 = offset + j * rowBytes;
			long o1 = o0 + rowBytes;
			long o2 = o1 + rowBytes;
			long o3 = o2 + rowBytes;
			FloatVector s0 = FloatVector.zero(SPECIES);
			FloatVector s1 = s0;
			FloatVector s2 = s0;
			FloatVector s3 = s0;
			int i = 0;
			for (; i < bound; i += lanes) {
				FloatVector xv = FloatVector.fromArray(SPECIES, x, i);
				long at = (long) i * Float.BYTES;
				s0 = FloatVector.fromMemorySegment(SPECIES, a, o0 + at, ORDER).fma(xv, s0);
				s1 = FloatVector.fromMemorySegment(SPECIES, a, o1 + at, ORDER).fma(xv, s1);
				s2 = FloatVector.fromMemorySegment(SPECIES, a, o2 + at, ORDER).fma(xv, s2);
				s3 = FloatVector.fromMemorySegment(SPECIES, a, o3 + at, ORDER).fma(xv, s3);
			}
			u[j] = s0.reduceLanes(VectorOperators.ADD) + tail(a, o0, x, i, in);
			u[j + 1] = s1.reduceLanes(VectorOperators.ADD) + tail(a, o1, x, i, in);
			u[j + 2] = s2.reduceLanes(VectorOperators.ADD) + tail(a, o2, x, i, in);
			u[j + 3] = s3.reduceLanes(VectorOperators.ADD) + tail(a, o3, x, i, in);
		}
		for (; j < rank; j++) {
			long o = offset + j * rowBytes;
			FloatVector s = FloatVector.zero(SPECIES);
			int i = 0;
			for (; i < bound; i += lanes) {
				s = FloatVector.fromMemorySegment(SPECIES, a, o + (long) i * Float.BYTES, ORDER)
					.fma(FloatVector.fromArray(SPECIES, x, i), s);
			}
			u[j] = s.reduceLanes(VectorOperators.ADD) + tail(a, o, x, i, in);
		}
	}

	private static float tail(MemorySegment a, long offset, float[] x, int from, int in) {
		float sum = 0;
		for (int i = from; i < in; i++) {
			sum += a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, offset + (long) i * Float.BYTES) * x[i];
		}
		return sum;
	}

	/**
	 * {@code d[column + o] += Σ_j u[j]·B[j][o]} over the first {@code rank} rows of
	 * {@code B}, four rows per pass over the output row.
	 */
	private static void expand(MemorySegment b, long offset, float[] u, int rank, int out, float[] d, int column) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(out);
		long rowBytes = (long) out * Float.BYTES;
		int j = 0;
		for (; j + 4 <= rank; j += 4) {
			FloatVector u0 = FloatVector.broadcast(SPECIES, u[j]);
			FloatVector u1 = FloatVector.broadcast(SPECIES, u[j + 1]);
			FloatVector u2 = FloatVector.broadcast(SPECIES, u[j + 2]);
			FloatVector u3 = FloatVector.broadcast(SPECIES, u[j + 3]);
			long r0 = offset + j * rowBytes;
			long r1 = r0 + rowBytes;
			long r2 = r1 + rowBytes;
			long r3 = r2 + rowBytes;
			int o = 0;
			for (; o < bound; o += lanes) {
				long at = (long) o * Float.BYTES;
				FloatVector dv = FloatVector.fromArray(SPECIES, d, column + o);
				dv = FloatVector.fromMemorySegment(SPECIES, b, r0 + at, ORDER).fma(u0, dv);
				dv = FloatVector.fromMemorySegment(SPECIES, b, r1 + at, ORDER).fma(u1, dv);
				dv = FloatVector.fromMemorySegment(SPECIES, b, r2 + at, ORDER).fma(u2, dv);
				dv = FloatVector.fromMemorySegment(SPECIES, b, r3 + at, ORDER).fma(u3, dv);
				dv.intoArray(d, column + o);
			}
			for (; o < out; o++) {
				long at = (long) o * Float.BYTES;
				d[column + o] += u[j] * b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, r0 + at)
						+ u[j + 1] * b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, r1 + at)
						+ u[j + 2] * b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, r2 + at)
						+ u[j + 3] * b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, r3 + at);
			}
		}
		for (; j < rank; j++) {
			FloatVector uj = FloatVector.broadcast(SPECIES, u[j]);
			long r = offset + j * rowBytes;
			int o = 0;
			for (; o < bound; o += lanes) {
				FloatVector dv = FloatVector.fromArray(SPECIES, d, column + o);
				FloatVector.fromMemorySegment(SPECIES, b, r + (long) o * Float.BYTES, ORDER)
					.fma(uj, dv)
					.intoArray(d, column + o);
			}
			for (; o < out; o++) {
				d[column + o] += u[j] * b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, r + (long) o * Float.BYTES);
			}
		}
	}

}
