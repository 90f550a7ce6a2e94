package io.quiver.worker.adapter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import io.quiver.worker.tensor.Kernels;
import io.quiver.worker.tensor.RowWork;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LoRA deltas of a pass's rows, each on its adapter's slot (a decode row, or a row of
 * a prefill chunk), computed on the CPU straight from a {@link LoraBank}'s memory with
 * the Vector API. Rows of another bank or of the base model, between them, are skipped.
 *
 * <p>
 * In decode every row reads its own adapter's factors once, two FLOPs for every float
 * read, so this work is a stream of the factors from memory. PyTorch's CPU batched matmul
 * runs these matrix-vector-shaped products well below the memory's bandwidth (the
 * {@code q}, {@code k}, {@code v} factors of 32 rank-16 adapters over 30 layers: 28 ms, 6
 * GB/s, on a 2-vCPU EPYC), because each slot is a separate tiny product. Here each thread
 * streams its rows' factors front to back: each row of {@code A} against the input row,
 * then {@code u} times each row of {@code B} accumulated into the output row. Ranks below
 * the bank's, and modules the adapter does not target, are skipped rather than read as
 * zeros. With every row on an adapter of its own (32 rank-16 adapters on all seven
 * modules, 30 layers: 156 million factor elements a step, 312 MB in bf16), the kernel's
 * calls take about 8 ms a decode pass for bf16 factors on a 2-vCPU EPYC (see
 * {@code rows}), about 38 GB/s. The loops are not the limit (on factors that sit in cache
 * the same rows run at 65 GB/s on one thread): the memory is, read in runs of 37–135 KB,
 * one per row and module group. The rows of a prefill chunk share their slot, and one
 * thread takes them one after the other, two at a time (they are next to each other in
 * slot order): the first reads the factors from memory, the rest from the core's cache.
 *
 * <p>
 * Slots whose adapter is stored in bf16 are read from the bank's bf16 copy, half the
 * bytes, and widened to fp32 in registers (a bf16 number is the top half of an fp32 one),
 * so that such adapters cost about half as much; their {@code B} is kept unscaled there,
 * since {@code scale·B} is rarely a bf16 number, and the scale is applied to {@code u}
 * instead.
 *
 * <p>
 * Where the forward pass keeps a projection's output rows in a Java array (the rotary
 * input of q/k/v, gate and up's rows before SwiGLU, the residual stream that o and down
 * add to), each thread sums a row's products straight into its row there. Into a
 * projection's output tensor, the transposed view of a contiguous {@code [out, n]} (on
 * the tensor path), the deltas are added once every row is done, by chunks of columns
 * transposed in registers ({@code Kernels.transpose}); an input in that layout is
 * transposed into rows the same way, once, on the calling thread.
 *
 * <p>
 * The process's kernel helpers ({@link RowWork}) and the caller take rows two at a time,
 * computed side by side so that each thread streams two runs of factors at once (see
 * {@code rows}), so the caller starts at once and never waits for a parked helper to wake
 * (tens of microseconds on a VM, as long as a job of eight rows); it waits only for rows
 * a helper is still on. The rows are taken in the order of their slots, which is the
 * order of their factors in memory, the caller from the front and the helpers from the
 * back, so that each thread's reads run on from one row's factors to the next: in 32-row
 * decode passes with 32 bf16 adapters, 2.8–4.3 ms less a pass than taking rows
 * alternately (medians of 40 passes, both ways alternating in one process, three runs).
 *
 * <p>
 * Only {@link LoraBank} uses this class, and only after {@link #available()}: the
 * {@code jdk.incubator.vector} module must be in the boot layer
 * ({@code --add-modules jdk.incubator.vector}), or loading this class fails.
 */
final class LoraRowsKernel {

	private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

	// as many bf16 lanes as SPECIES has, and the ints they widen through
	private static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class,
			VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));

	private static final VectorSpecies<Integer> WIDE = SPECIES.withLanes(int.class);

	private static final ByteOrder ORDER = ByteOrder.nativeOrder();

	private LoraRowsKernel() {
	}

	/**
	 * Whether the Vector API is present, so that this class can be loaded.
	 * @return whether the kernel can run
	 */
	static boolean available() {
		return Kernels.vectorApi();
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
	 * @param ab16 the bf16 copy of the slots' factors, {@code [capacity, block]} bf16
	 * bits: each slot's {@code a}, then each module's {@code Bᵀ} (unscaled); written only
	 * for slots marked in {@code half}
	 * @param half each slot's choice of copy: whether it is read from {@code ab16}
	 * @param scales each slot's scale, which {@code ab16} leaves out
	 */
	record Factors(MemorySegment a, MemorySegment[] b, int[] modules, int[] outs, int in, int rank, int[] ranks,
			int[] targets, MemorySegment ab16, boolean[] half, float[] scales) {

		int width() {
			int width = 0;
			for (int out : this.outs) {
				width += out;
			}
			return width;
		}

		/** A slot's elements in {@code ab16}. */
		long halfBlock() {
			return (long) this.modules.length * this.rank * this.in + (long) this.rank * width();
		}

	}

	/**
	 * Computes every row's delta, {@code delta[r] = Σ_modules (A_m·x[r])ᵀ·B_m} of the
	 * row's slot (zeros where the slot does not target a module), and adds it to the
	 * target: into a row-major target each row by the thread that computed it; into a
	 * transposed one through {@code deltas}, by chunks of columns once every row is done.
	 * Without a target the deltas are left in {@code deltas}.
	 * @param factors the layer's factors of one group
	 * @param slotOfRow each row's slot, or {@link LoraBank.BankRows#SKIPPED} for a row
	 * left as it is (its delta is zero)
	 * @param order the rows that are not skipped, by slot
	 * @param x the input rows, {@code [rows, in]} row-major, float32
	 * @param deltas native memory for the deltas, {@code [rows, width]} row-major,
	 * float32, overwritten unless the target is row-major
	 * @param target where to add the deltas, or null
	 */
	static void apply(Factors factors, int[] slotOfRow, int[] order, MemorySegment x, MemorySegment deltas,
			Target target) {
		Job job = new Job(factors, slotOfRow, order, x, deltas, target);
		RowWork.share(job::work, job.pairs);
		job.finish();
	}

	/**
	 * Rows of a batch's output, float32, that deltas are added to in place: a Java
	 * array's, or native memory's.
	 *
	 * @param memory the output's native memory, or null for an array's rows
	 * @param array the output's rows in a Java array, {@code [n, width]} row-major, or
	 * null
	 * @param n the batch's rows
	 * @param first the first row to add to
	 * @param transposed whether {@code memory} holds the output's transpose,
	 * {@code [width, n]} (a projection's output), rather than {@code [n, width]}
	 */
	record Target(MemorySegment memory, float[] array, int n, int first, boolean transposed) {

		/** The rows of a Java array, {@code [n, width]} row-major. */
		static Target rows(float[] array, int n, int first) {
			return new Target(null, array, n, first, false);
		}

		/** The rows of native memory, as they are or transposed. */
		static Target of(MemorySegment memory, int n, int first, boolean transposed) {
			return new Target(memory, null, n, first, transposed);
		}

	}

	/**
	 * A job's rows, taken two at a time (see {@link #rows}) from either end of the order;
	 * then, for a transposed target, once every row is done, the addition to it in chunks
	 * of output columns, taken the same way. A helper that wakes after the job is over
	 * finds nothing left and touches nothing but the counters.
	 */
	private static final class Job {

		// output columns per chunk of the addition
		private static final int CHUNK = 256;

		private final Factors factors;

		private final int[] slotOfRow;

		private final int[] order;

		// the calling thread, which takes rows from the front of the order, helpers from
		// the back
		private final Thread caller = Thread.currentThread();

		private final MemorySegment x;

		private final MemorySegment deltas;

		private final Target target;

		private final int chunks;

		// the order's rows two by two, the last alone when there is an odd one
		private final int pairs;

		private final AtomicInteger claimed = new AtomicInteger();

		private final AtomicInteger front = new AtomicInteger();

		private final AtomicInteger back = new AtomicInteger();

		private final AtomicInteger done = new AtomicInteger();

		private final AtomicInteger nextChunk = new AtomicInteger();

		private final AtomicInteger chunksDone = new AtomicInteger();

		private volatile Throwable failure;

		private Job(Factors factors, int[] slotOfRow, int[] order, MemorySegment x, MemorySegment deltas,
				Target target) {
			this.factors = factors;
			this.slotOfRow = slotOfRow;
			this.order = order;
			this.x = x;
			this.deltas = deltas;
			this.target = target;
			this.chunks = (target == null || !target.transposed()) ? 0 : (factors.width() + CHUNK - 1) / CHUNK;
			this.pairs = (order.length + 1) / 2;
			if ((target == null || target.transposed()) && order.length < slotOfRow.length) {
				long row = (long) factors.width() * Float.BYTES;
				for (int r = 0; r < slotOfRow.length; r++) {
					if (slotOfRow[r] == LoraBank.BankRows.SKIPPED) {
						deltas.asSlice(r * row, row).fill((byte) 0);
					}
				}
			}
		}

		private void work() {
			// fetched on the first row taken: a helper that wakes after the rows are gone
			// touches nothing
			Scratch scratch = null;
			int rows = this.order.length;
			boolean fromFront = Thread.currentThread() == this.caller;
			while (this.claimed.getAndIncrement() < this.pairs) {
				int pair = fromFront ? this.front.getAndIncrement() : this.pairs - 1 - this.back.getAndIncrement();
				int r1 = this.order[2 * pair];
				int r2 = (2 * pair + 1 < rows) ? this.order[2 * pair + 1] : NONE;
				try {
					if (scratch == null) {
						scratch = Scratch.of(this.factors);
					}
					rows(this.factors, this.slotOfRow, r1, r2, this.x, this.deltas, this.target, scratch);
				}
				catch (RuntimeException | Error ex) {
					this.failure = ex;
				}
				this.done.incrementAndGet();
			}
			if (this.chunks == 0) {
				return;
			}
			// every row's delta must be in before any column is added
			RowWork.await(this.done, this.pairs);
			int all = this.slotOfRow.length;
			float[] columns = new float[CHUNK * all];
			for (int c = this.nextChunk.getAndIncrement(); c < this.chunks; c = this.nextChunk.getAndIncrement()) {
				try {
					int from = c * CHUNK;
					add(this.deltas, all, this.factors.width(), this.target, from,
							Math.min(this.factors.width(), from + CHUNK), columns);
				}
				catch (RuntimeException | Error ex) {
					this.failure = ex;
				}
				this.chunksDone.incrementAndGet();
			}
		}

		/**
		 * Does what nobody has taken yet, then waits for what helpers are still on (at
		 * most one row or chunk each).
		 */
		void finish() {
			work();
			RowWork.await(this.done, this.pairs);
			RowWork.await(this.chunksDone, this.chunks);
			Throwable failed = this.failure;
			if (failed != null) {
				throw new IllegalStateException("LoRA delta computation failed", failed);
			}
		}

	}

	/**
	 * Adds output columns {@code from .. to} of {@code deltas} ({@code [rows, width]}
	 * row-major) to a transposed target: the columns are transposed into {@code columns}
	 * ({@link Kernels#transpose}, by tiles in registers), then each is added to its
	 * contiguous run of the target's rows. Gathering each column's rows instead (32 rows
	 * of a SmolLM2-sized gate and up projection) cost about 120 µs a layer, 1.2 ns a
	 * float.
	 */
	private static void add(MemorySegment deltas, int rows, int width, Target target, int from, int to,
			float[] columns) {
		Kernels.transpose(deltas, from, width, rows, to - from, columns, 0, rows);
		MemorySegment memory = target.memory();
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(rows);
		for (int o = from; o < to; o++) {
			long line = ((long) o * target.n() + target.first()) * Float.BYTES;
			int column = (o - from) * rows;
			int r = 0;
			for (; r < bound; r += lanes) {
				long at = line + (long) r * Float.BYTES;
				FloatVector.fromMemorySegment(SPECIES, memory, at, ORDER)
					.add(FloatVector.fromArray(SPECIES, columns, column + r))
					.intoMemorySegment(memory, at, ORDER);
			}
			for (; r < rows; r++) {
				addAt(memory, line + (long) r * Float.BYTES, columns[column + r]);
			}
		}
	}

	private static void addAt(MemorySegment memory, long at, float value) {
		memory.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, memory.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at) + value);
	}

	/**
	 * A thread's buffers for the two rows it works on at a time, kept from job to job and
	 * grown to the widest group's: a decode pass runs four jobs a layer (see
	 * {@code Kernels.reuse} for what fresh buffers cost). Only the first {@code in},
	 * {@code k·R} and {@code width} elements of a job's group are used.
	 */
	private static final class Scratch {

		private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

		// each row's input, its u = scale·A·x per module, and its delta where it is not
		// summed into the target's row
		private final float[][] row = { new float[0], new float[0] };

		private final float[][] u = { new float[0], new float[0] };

		private final float[][] d = { new float[0], new float[0] };

		static Scratch of(Factors f) {
			Scratch scratch = OF_THREAD.get();
			for (int i = 0; i < 2; i++) {
				scratch.row[i] = atLeast(scratch.row[i], f.in());
				scratch.u[i] = atLeast(scratch.u[i], f.modules().length * f.rank());
				scratch.d[i] = atLeast(scratch.d[i], f.width());
			}
			return scratch;
		}

		private static float[] atLeast(float[] buffer, int length) {
			return (buffer.length >= length) ? buffer : new float[length];
		}

	}

	/** No second row: see {@link #rows}. */
	private static final int NONE = -1;

	/**
	 * Computes the deltas of rows {@code r1} and {@code r2} (or of {@code r1} alone, when
	 * {@code r2} is {@link #NONE}) and adds them to the target. Two rows whose slots read
	 * the same copy at the same rank and modules are computed side by side, each loop
	 * reading both slots' factors, so that the thread streams two runs of memory at once:
	 * one core keeps more reads in flight over two runs than over one (a plain read of
	 * 312 MB on one core of a 2-vCPU EPYC, in C: 21 GB/s over one run, 40 GB/s over two).
	 * Other pairs are computed one row after the other.
	 *
	 * <p>
	 * In 32-row decode passes on 32 bf16 adapters, the kernel's calls took 7.9–8.7 ms a
	 * pass (median 8.2) against 10.3–11.3 ms (median 10.8) for the kernel before, which
	 * took one row at a time with four sums per row of {@code A} rather than two (10
	 * rounds of 32 tokens each way, alternating in one process). One row at a time with
	 * these loops took 8.9 ms (median), so most of the gain is the loops' and the rest
	 * the pairs'; calling the kernel alone for 30 layers' four groups, with 32 MB of
	 * other memory read between the calls, pairs took 9.5 and 10.6 against 10.9 and 12.0
	 * ms a step (medians of 37 steps, two runs).
	 */
	private static void rows(Factors f, int[] slotOfRow, int r1, int r2, MemorySegment x, MemorySegment deltas,
			Target target, Scratch scratch) {
		int slot1 = slotOfRow[r1];
		boolean half = f.half()[slot1];
		int ownRank = f.ranks()[slot1];
		int targets = f.targets()[slot1];
		if (r2 != NONE) {
			int slot2 = slotOfRow[r2];
			if (half != f.half()[slot2] || ownRank != f.ranks()[slot2] || targets != f.targets()[slot2]) {
				rows(f, slotOfRow, r1, NONE, x, deltas, target, scratch);
				rows(f, slotOfRow, r2, NONE, x, deltas, target, scratch);
				return;
			}
		}
		boolean two = r2 != NONE;
		int slot2 = two ? slotOfRow[r2] : slot1;
		int in = f.in();
		int rank = f.rank();
		int width = f.width();
		float[] x1 = scratch.row[0];
		float[] x2 = scratch.row[1];
		float[] u1 = scratch.u[0];
		float[] u2 = scratch.u[1];
		MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r1 * in * Float.BYTES, x1, 0, in);
		if (two) {
			MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r2 * in * Float.BYTES, x2, 0, in);
		}
		// Into a Java array's rows, the second factors' products are summed straight
		// into the row, read and written as an array; elsewhere into d, added after.
		// Through a segment over the array, the Vector API's loads and stores made the
		// kernel's calls take 17.3 and 19.8 ms a step against 14.0 and 17.8 ms as an
		// array, and summing into the row rather than into d then adding d took 14.2
		// and 14.5 against 15.5 and 15.2 ms (32 decode rows on 32 bf16 adapters in the
		// engine, the two ways toggled round by round, two runs each).
		boolean intoArray = target != null && target.array() != null;
		float[] sums1 = intoArray ? target.array() : scratch.d[0];
		float[] sums2 = intoArray ? target.array() : scratch.d[1];
		int at1 = intoArray ? (target.first() + r1) * width : 0;
		int at2 = (intoArray && two) ? (target.first() + r2) * width : 0;
		if (!intoArray) {
			Arrays.fill(sums1, 0, width, 0f);
			if (two) {
				Arrays.fill(sums2, 0, width, 0f);
			}
		}
		int modules = f.modules().length;
		// A bf16 slot's factors are one run of memory, read front to back: its first
		// factors of every module, then each module's second. The first factors of all
		// modules are read before any second factor: in 32-row decode passes of a
		// SmolLM2-sized model with 32 bf16 adapters, module by module took 24.2–31.8 ms
		// more than the base model and this 22.0–25.9 ms (medians of 50 passes
		// alternating between the two, three runs). Each call names its copy with a
		// constant, so that the JIT compiles a loop per copy rather than merging two
		// kinds of vector at every load: bf16 rows ran about 6 % faster so (medians of
		// five alternating runs).
		long first1 = half ? slot1 * f.halfBlock() : (long) slot1 * modules * rank * in;
		long first2 = half ? slot2 * f.halfBlock() : (long) slot2 * modules * rank * in;
		for (int i = 0; i < modules; i++) {
			if ((targets & (1 << f.modules()[i])) == 0) {
				continue;
			}
			long a = (long) i * rank * in;
			int uAt = i * rank;
			if (half) {
				shrink(f.ab16(), true, first1 + a, x1, first2 + a, two ? x2 : null, in, ownRank, u1, u2, uAt);
				scale(u1, uAt, ownRank, f.scales()[slot1]);
				if (two) {
					scale(u2, uAt, ownRank, f.scales()[slot2]);
				}
			}
			else {
				shrink(f.a(), false, first1 + a, x1, first2 + a, two ? x2 : null, in, ownRank, u1, u2, uAt);
			}
		}
		long second = (long) modules * rank * in;
		int column = 0;
		for (int i = 0; i < modules; i++) {
			int out = f.outs()[i];
			if ((targets & (1 << f.modules()[i])) != 0) {
				int uAt = i * rank;
				if (half) {
					expand(f.ab16(), true, first1 + second, u1, sums1, at1 + column, first2 + second, two ? u2 : null,
							sums2, at2 + column, uAt, ownRank, out);
				}
				else {
					long b = (long) rank * out;
					expand(f.b()[i], false, slot1 * b, u1, sums1, at1 + column, slot2 * b, two ? u2 : null, sums2,
							at2 + column, uAt, ownRank, out);
				}
			}
			second += (long) rank * out;
			column += out;
		}
		if (!intoArray) {
			finish(sums1, width, deltas, target, r1);
			if (two) {
				finish(sums2, width, deltas, target, r2);
			}
		}
	}

	private static void scale(float[] u, int from, int count, float scale) {
		for (int j = from; j < from + count; j++) {
			u[j] *= scale;
		}
	}

	/**
	 * Hands a row's delta, summed in {@code d}, on: added to its row of a row-major
	 * target in memory, else copied into {@code deltas}.
	 */
	private static void finish(float[] d, int width, MemorySegment deltas, Target target, int r) {
		if (target != null && !target.transposed()) {
			addRow(d, width, target.memory(), (long) (target.first() + r) * width * Float.BYTES);
		}
		else {
			MemorySegment.copy(d, 0, deltas, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * width * Float.BYTES, width);
		}
	}

	/** Adds a row's delta to its row of a row-major target, from byte {@code line}. */
	private static void addRow(float[] d, int width, MemorySegment memory, long line) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(width);
		int o = 0;
		for (; o < bound; o += lanes) {
			long at = line + (long) o * Float.BYTES;
			FloatVector.fromMemorySegment(SPECIES, memory, at, ORDER)
				.add(FloatVector.fromArray(SPECIES, d, o))
				.intoMemorySegment(memory, at, ORDER);
		}
		for (; o < width; o++) {
			addAt(memory, line + (long) o * Float.BYTES, d[o]);
		}
	}

	/**
	 * {@code u1[uAt + j] = A1[j]·x1} for the first {@code rank} rows of {@code A1}, one
	 * row after the other, so that the factors are read front to back: in decode each row
	 * reads another adapter's factors, short runs the hardware prefetcher streams only
	 * when they are read in order. With a second row ({@code x2} not null), the same of
	 * {@code A2} and {@code x2} into {@code u2}, in the same loops (see {@link #rows}).
	 * Reading four rows of one {@code A} per pass over {@code x} instead made a stream of
	 * four short runs at once, and a pass of 32 rows 1.4–1.6 times slower (32 slots'
	 * q/k/v factors over 30 layers, bf16, one thread).
	 * @param a1 the first row's first element of {@code A1}
	 * @param a2 the same of {@code A2}
	 */
	private static void shrink(MemorySegment a, boolean half, long a1, float[] x1, long a2, float[] x2, int in,
			int rank, float[] u1, float[] u2, int uAt) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(in);
		int twice = in - in % (2 * lanes);
		for (int j = 0; j < rank; j++) {
			long o1 = a1 + (long) j * in;
			long o2 = a2 + (long) j * in;
			FloatVector s0 = FloatVector.zero(SPECIES);
			FloatVector s1 = s0;
			FloatVector t0 = s0;
			FloatVector t1 = s0;
			int i = 0;
			if (x2 == null) {
				for (; i < twice; i += 2 * lanes) {
					s0 = load(a, half, o1 + i).fma(FloatVector.fromArray(SPECIES, x1, i), s0);
					s1 = load(a, half, o1 + i + lanes).fma(FloatVector.fromArray(SPECIES, x1, i + lanes), s1);
				}
				for (; i < bound; i += lanes) {
					s0 = load(a, half, o1 + i).fma(FloatVector.fromArray(SPECIES, x1, i), s0);
				}
			}
			else {
				for (; i < twice; i += 2 * lanes) {
					s0 = load(a, half, o1 + i).fma(FloatVector.fromArray(SPECIES, x1, i), s0);
					t0 = load(a, half, o2 + i).fma(FloatVector.fromArray(SPECIES, x2, i), t0);
					s1 = load(a, half, o1 + i + lanes).fma(FloatVector.fromArray(SPECIES, x1, i + lanes), s1);
					t1 = load(a, half, o2 + i + lanes).fma(FloatVector.fromArray(SPECIES, x2, i + lanes), t1);
				}
				for (; i < bound; i += lanes) {
					s0 = load(a, half, o1 + i).fma(FloatVector.fromArray(SPECIES, x1, i), s0);
					t0 = load(a, half, o2 + i).fma(FloatVector.fromArray(SPECIES, x2, i), t0);
				}
				u2[uAt + j] = t0.add(t1).reduceLanes(VectorOperators.ADD) + tail(a, half, o2, x2, i, in);
			}
			u1[uAt + j] = s0.add(s1).reduceLanes(VectorOperators.ADD) + tail(a, half, o1, x1, i, in);
		}
	}

	private static float tail(MemorySegment a, boolean half, long offset, float[] x, int from, int in) {
		float sum = 0;
		for (int i = from; i < in; i++) {
			sum += get(a, half, offset + i) * x[i];
		}
		return sum;
	}

	/**
	 * {@code d1[c1 + o] += Σ_j u1[uAt + j]·B1[j][o]} over the first {@code rank} rows of
	 * {@code B1}, one row after the other (see {@link #shrink}); with a second row
	 * ({@code u2} not null), the same of {@code B2} and {@code u2} into {@code d2}, in
	 * the same loops.
	 * @param b1 the first row's first element of {@code B1}
	 * @param b2 the same of {@code B2}
	 */
	private static void expand(MemorySegment b, boolean half, long b1, float[] u1, float[] d1, int c1, long b2,
			float[] u2, float[] d2, int c2, int uAt, int rank, int out) {
		int lanes = SPECIES.length();
		int bound = SPECIES.loopBound(out);
		for (int j = 0; j < rank; j++) {
			float w1 = u1[uAt + j];
			FloatVector v1 = FloatVector.broadcast(SPECIES, w1);
			long r1 = b1 + (long) j * out;
			long r2 = b2 + (long) j * out;
			int o = 0;
			if (u2 == null) {
				for (; o < bound; o += lanes) {
					load(b, half, r1 + o).fma(v1, FloatVector.fromArray(SPECIES, d1, c1 + o)).intoArray(d1, c1 + o);
				}
				for (; o < out; o++) {
					d1[c1 + o] += w1 * get(b, half, r1 + o);
				}
				continue;
			}
			float w2 = u2[uAt + j];
			FloatVector v2 = FloatVector.broadcast(SPECIES, w2);
			for (; o < bound; o += lanes) {
				load(b, half, r1 + o).fma(v1, FloatVector.fromArray(SPECIES, d1, c1 + o)).intoArray(d1, c1 + o);
				load(b, half, r2 + o).fma(v2, FloatVector.fromArray(SPECIES, d2, c2 + o)).intoArray(d2, c2 + o);
			}
			for (; o < out; o++) {
				d1[c1 + o] += w1 * get(b, half, r1 + o);
				d2[c2 + o] += w2 * get(b, half, r2 + o);
			}
		}
	}

	/**
	 * A vector of factors from element {@code at}: fp32 as is, or bf16 widened (the
	 * compiler moves the choice out of the loops, which see one kind only).
	 */
	private static FloatVector load(MemorySegment m, boolean half, long at) {
		if (!half) {
			return FloatVector.fromMemorySegment(SPECIES, m, at * Float.BYTES, ORDER);
		}
		ShortVector bits = ShortVector.fromMemorySegment(HALF, m, at * Short.BYTES, ORDER);
		return ((IntVector) bits.convertShape(VectorOperators.S2I, WIDE, 0)).lanewise(VectorOperators.LSHL, 16)
			.reinterpretAsFloats();
	}

	private static float get(MemorySegment m, boolean half, long at) {
		return half ? Float.intBitsToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, at * Short.BYTES) << 16)
				: m.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at * Float.BYTES);
	}

}
