package io.quiver.worker.adapter;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device tier of one rank bucket: the factors of many adapters stacked into slots, so
 * that the rows of many different adapters in one batch are served by a few batched
 * matmuls over the bank (the segment-gather idea of Punica's SGMV), never by merging an
 * adapter into the base weights. An adapter of rank {@code r} sits in the bank of the
 * next power of two {@code R ≥ r}, zero-padded, which is exact.
 *
 * <p>
 * On the CPU, decode rows of many adapters ({@link #addBatched}) are computed by
 * {@link LoraRowsKernel} straight from the bank's memory when the JVM has the Vector API;
 * otherwise, and on a GPU, by PyTorch's batched matmul.
 */
public final class LoraBank implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(LoraBank.class);

	private static final boolean ROWS_KERNEL = LoraRowsKernel.available();

	private static final AtomicBoolean warnedWithoutKernel = new AtomicBoolean();

	private final ModelConfig config;

	private final int rank;

	private final NDManager parent;

	private NDManager manager;

	private int capacity;

	// [group] of [layers, capacity, k·R, in]: lora_A.weight of the group's k modules,
	// module i at rows i·R
	private NDArray[] a;

	// [module] of [layers, capacity, R, out]: scale · lora_B.weightᵀ, modules in
	// LoraWeights.MODULES order
	private NDArray[] b;

	// [layers][group] of [capacity, k·R, in]: per-layer views of a
	private NDArray[][] aLayer;

	// [layers][group] of [capacity, in, k·R]: per-layer transposed views of a
	private NDArray[][] aT;

	// [layers][module] of [capacity, R, out]: per-layer views of b
	private NDArray[][] bc;

	private final BitSet used = new BitSet();

	// each slot's own rank and its targeted modules (a bit per LoraWeights.MODULES index)
	private int[] ranks = new int[0];

	private int[] targets = new int[0];

	// whether addBatched uses LoraRowsKernel where it can run; see preferRowsKernel
	private static volatile boolean rowsKernelPreferred = true;

	// whether LoraRowsKernel can run on this bank: on the CPU, with the Vector API
	private final boolean rowsKernel;

	// [layers][group] of the kernel's views of a and b, when rowsKernel and every
	// layer's slice of the bank is small enough to hand out as one buffer
	private LoraRowsKernel.Factors[][] factors;

	// a direct buffer the kernel writes deltas into, which PyTorch then reads in place
	private ByteBuffer deltas;

	// a direct buffer the factors of an adapter pass through on their way into the bank
	private ByteBuffer staging;

	private final float[] zeros = new float[1 << 16];

	/**
	 * @param config the base model
	 * @param rank the bucket's rank R
	 * @param parent the engine's manager
	 * @param capacity the initial number of slots (the bank doubles, copying itself, when
	 * full; see {@link #capacityFor})
	 */
	public LoraBank(ModelConfig config, int rank, NDManager parent, int capacity) {
		this.config = config;
		this.rank = rank;
		this.parent = parent;
		boolean cpu = !parent.getDevice().isGpu();
		this.rowsKernel = ROWS_KERNEL && cpu;
		if (!ROWS_KERNEL && cpu && warnedWithoutKernel.compareAndSet(false, true)) {
			logger.info("The JVM runs without jdk.incubator.vector, so rows of many adapters in one batch use "
					+ "PyTorch's batched matmul, about 10 % slower on a CPU; "
					+ "start it with --add-modules jdk.incubator.vector");
		}
		allocate(capacity);
	}

	/**
	 * The slots to allocate a bank with: as many as the device budget holds, plus the one
	 * an adapter occupies while the store evicts another, so that the bank never has to
	 * grow; at least 8 and at most 4,096.
	 * @param config the base model
	 * @param rank the bucket rank
	 * @param deviceBudget the device tier's byte budget
	 * @return the slots
	 */
	public static int capacityFor(ModelConfig config, int rank, long deviceBudget) {
		long slots = deviceBudget / slotBytes(config, rank) + 1;
		return (int) Math.max(8, Math.min(4096, slots));
	}

	/** The bucket rank for an adapter rank: the next power of two. */
	public static int bucket(int rank) {
		return Integer.highestOneBit(Math.max(1, rank - 1)) << ((rank > 1) ? 1 : 0);
	}

	public int rank() {
		return this.rank;
	}

	/** Bytes one slot holds. */
	public long slotBytes() {
		return slotBytes(this.config, this.rank);
	}

	/**
	 * Bytes one slot of a bank of the given rank holds.
	 * @param config the base model
	 * @param rank the bucket rank
	 * @return the bytes
	 */
	public static long slotBytes(ModelConfig config, int rank) {
		long perLayer = 0;
		for (String m : LoraWeights.MODULES) {
			perLayer += (long) rank * (LoraWeights.inputWidth(m, config) + LoraWeights.outputWidth(m, config));
		}
		return 4L * perLayer * config.numLayers();
	}

	/**
	 * Allocates the factors uninitialised: memory the allocator maps but nobody writes
	 * takes no resident pages, so a bank sized up front for the whole device budget costs
	 * only the slots in use, and never stalls the engine copying itself into a bigger
	 * one. Every slot is written whole when an adapter is added (padding ranks and
	 * untargeted modules as zeros), and a slot nobody holds is only read for padding rows
	 * that are never gathered back.
	 */
	private void allocate(int newCapacity) {
		NDManager next = this.parent.newSubManager();
		int layers = this.config.numLayers();
		LoraGroup[] groups = LoraGroup.values();
		NDArray[] newA = new NDArray[groups.length];
		NDArray[] newB = new NDArray[LoraWeights.MODULES.size()];
		NDIndex old = new NDIndex(":, :{}", this.capacity);
		for (LoraGroup g : groups) {
			int in = LoraWeights.inputWidth(g.modules().get(0), this.config);
			newA[g.ordinal()] = next.create(new Shape(layers, newCapacity, (long) g.modules().size() * this.rank, in),
					DataType.FLOAT32);
			if (this.a != null) {
				newA[g.ordinal()].set(old, this.a[g.ordinal()]);
			}
		}
		for (int m = 0; m < newB.length; m++) {
			int out = LoraWeights.outputWidth(LoraWeights.MODULES.get(m), this.config);
			newB[m] = next.create(new Shape(layers, newCapacity, this.rank, out), DataType.FLOAT32);
			if (this.b != null) {
				newB[m].set(old, this.b[m]);
			}
		}
		if (this.manager != null) {
			this.manager.close();
		}
		this.manager = next;
		this.capacity = newCapacity;
		this.a = newA;
		this.b = newB;
		this.ranks = Arrays.copyOf(this.ranks, newCapacity);
		this.targets = Arrays.copyOf(this.targets, newCapacity);
		this.aT = new NDArray[layers][groups.length];
		this.bc = new NDArray[layers][newB.length];
		this.aLayer = new NDArray[layers][groups.length];
		for (int layer = 0; layer < layers; layer++) {
			NDIndex at = new NDIndex("{}", layer);
			for (int g = 0; g < groups.length; g++) {
				this.aLayer[layer][g] = newA[g].get(at);
				this.aT[layer][g] = this.aLayer[layer][g].transpose(0, 2, 1);
			}
			for (int m = 0; m < newB.length; m++) {
				this.bc[layer][m] = newB[m].get(at);
			}
		}
		this.factors = this.rowsKernel ? kernelFactors() : null;
	}

	/**
	 * The kernel's views of the factors: each layer's slice of a bank tensor is
	 * contiguous, so PyTorch hands out its memory as is.
	 */
	private LoraRowsKernel.Factors[][] kernelFactors() {
		LoraGroup[] groups = LoraGroup.values();
		for (NDArray[] layer : this.aLayer) {
			for (NDArray a : layer) {
				if (a.size() * Float.BYTES > Integer.MAX_VALUE) {
					return null;
				}
			}
		}
		for (NDArray[] layer : this.bc) {
			for (NDArray b : layer) {
				if (b.size() * Float.BYTES > Integer.MAX_VALUE) {
					return null;
				}
			}
		}
		LoraRowsKernel.Factors[][] views = new LoraRowsKernel.Factors[this.aLayer.length][groups.length];
		for (int layer = 0; layer < this.aLayer.length; layer++) {
			for (LoraGroup g : groups) {
				int[] modules = g.moduleIndices();
				MemorySegment[] b = new MemorySegment[modules.length];
				int[] outs = new int[modules.length];
				for (int i = 0; i < modules.length; i++) {
					b[i] = memory(this.bc[layer][modules[i]]);
					outs[i] = LoraWeights.outputWidth(LoraWeights.MODULES.get(modules[i]), this.config);
				}
				views[layer][g.ordinal()] = new LoraRowsKernel.Factors(memory(this.aLayer[layer][g.ordinal()]), b,
						modules, outs, LoraWeights.inputWidth(g.modules().get(0), this.config), this.rank, this.ranks,
						this.targets);
			}
		}
		return views;
	}

	private static MemorySegment memory(NDArray contiguous) {
		return MemorySegment.ofBuffer(contiguous.toByteBuffer(true));
	}

	/**
	 * Copies an adapter into a free slot, growing the bank when full: one copy per group
	 * and module for all layers at once.
	 * @param weights the adapter's host factors, of rank at most this bank's
	 * @return the slot
	 */
	public int add(LoraWeights weights) {
		if (weights.rank() > this.rank) {
			throw new IllegalArgumentException("rank " + weights.rank() + " does not fit a bank of rank " + this.rank);
		}
		int slot = this.used.nextClearBit(0);
		if (slot >= this.capacity) {
			allocate(this.capacity * 2);
		}
		int layers = this.config.numLayers();
		int r = weights.rank();
		int rr = this.rank;
		NDIndex at = new NDIndex(":, {}", slot);
		for (LoraGroup g : LoraGroup.values()) {
			int in = LoraWeights.inputWidth(g.modules().get(0), this.config);
			int[] modules = g.moduleIndices();
			int perLayer = modules.length * rr * in;
			FloatBuffer stacked = staging(layers * perLayer);
			for (int layer = 0; layer < layers; layer++) {
				for (int i = 0; i < modules.length; i++) {
					float[] a = weights.a()[layer][modules[i]];
					if (a != null) {
						stacked.put(layer * perLayer + i * rr * in, a, 0, r * in);
					}
				}
			}
			copyIn(this.a[g.ordinal()], at, new Shape(layers, modules.length * (long) rr, in), false);
			for (int module : modules) {
				int out = LoraWeights.outputWidth(LoraWeights.MODULES.get(module), this.config);
				// lora_B as stored, [out, r] padded to [out, R]; the copy into the bank
				// transposes it
				FloatBuffer padded = staging(layers * out * rr);
				for (int layer = 0; layer < layers; layer++) {
					float[] b = weights.b()[layer][module];
					if (b == null) {
						continue;
					}
					if (r == rr) {
						padded.put(layer * out * rr, b, 0, out * rr);
						continue;
					}
					for (int o = 0; o < out; o++) {
						padded.put((layer * out + o) * rr, b, o * r, r);
					}
				}
				copyIn(this.b[module], at, new Shape(layers, out, rr), true);
			}
		}
		this.used.set(slot);
		this.ranks[slot] = r;
		int targeted = 0;
		for (int module = 0; module < LoraWeights.MODULES.size(); module++) {
			for (int layer = 0; layer < layers; layer++) {
				if (weights.a()[layer][module] != null) {
					targeted |= 1 << module;
				}
			}
		}
		this.targets[slot] = targeted;
		return slot;
	}

	/**
	 * The staging buffer, cleared to zeros over its first {@code floats} (padding ranks
	 * and untargeted modules must be written as zeros), grown when too small. One direct
	 * buffer serves every add, so that adding an adapter allocates and faults in no fresh
	 * memory and PyTorch reads the factors in place.
	 */
	private FloatBuffer staging(int floats) {
		long bytes = (long) floats * Float.BYTES;
		if (this.staging == null || this.staging.capacity() < bytes) {
			this.staging = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
		}
		FloatBuffer view = this.staging.asFloatBuffer();
		view.put(0, this.zeros, 0, Math.min(this.zeros.length, floats));
		for (int at = this.zeros.length; at < floats; at += this.zeros.length) {
			view.put(at, this.zeros, 0, Math.min(this.zeros.length, floats - at));
		}
		return view;
	}

	/**
	 * Copies the staged factors into a slot of a bank tensor.
	 * @param bank the bank tensor, {@code [layers, capacity, ...]}
	 * @param slot the slot's index
	 * @param shape the staged factors' shape
	 * @param transposed whether the two last dimensions are swapped on the way in
	 */
	private void copyIn(NDArray bank, NDIndex slot, Shape shape, boolean transposed) {
		ByteBuffer bytes = this.staging.duplicate().order(ByteOrder.nativeOrder());
		bytes.limit(Math.toIntExact(shape.size() * Float.BYTES));
		try (NDArray staged = this.manager.create(bytes, shape, DataType.FLOAT32)) {
			bank.set(slot, transposed ? staged.transpose(0, 2, 1) : staged);
		}
	}

	/** Frees a slot for reuse. */
	public void remove(int slot) {
		this.used.clear(slot);
	}

	public boolean isEmpty() {
		return this.used.isEmpty();
	}

	/**
	 * Adds one adapter's {@code scale·(x·Aᵀ)·Bᵀ} for a group to {@code y}, in place: one
	 * matmul for the first factors of all the group's modules, one per module for the
	 * second.
	 * @param layer the layer
	 * @param group the projection group
	 * @param slot the adapter's slot
	 * @param x the group's input rows, {@code [rows, in]}
	 * @param y the group's output rows (a view into the batch's output),
	 * {@code [rows, out]}
	 */
	public void addSegment(int layer, LoraGroup group, int slot, NDArray x, NDArray y) {
		NDIndex at = new NDIndex("{}", slot);
		NDArray u = x.matMul(this.aT[layer][group.ordinal()].get(at));
		y.addi(second(layer, group, at, u, false));
	}

	/**
	 * Adds the deltas of many adapters of this bank at once: with the CPU kernel, row by
	 * row from the bank's memory; else rows are scattered into a padded
	 * {@code [slots, maxRows, in]} block and multiplied by the bank's slots with batched
	 * matmuls (one for the group's first factors, one per module for the second), then
	 * gathered back.
	 * @param layer the layer
	 * @param group the projection group
	 * @param plan where each row goes
	 * @param x the input rows of this bank, {@code [rows, in]}
	 * @param y their output rows (a view into the batch's output), {@code [rows, out]}
	 */
	public void addBatched(int layer, LoraGroup group, BankRows plan, NDArray x, NDArray y) {
		if (this.factors != null && rowsKernelPreferred) {
			addRows(this.factors[layer][group.ordinal()], plan.slotOfRow(), x, y);
			return;
		}
		long in = x.getShape().get(1);
		NDIndex range = new NDIndex("{}:{}", plan.firstSlot(), plan.firstSlot() + plan.slots());
		NDArray rows = plan.inPlace() ? x : x.get(new NDIndex("{}", plan.scatter()));
		NDArray u = rows.reshape(plan.slots(), plan.maxRows(), in)
			.batchMatMul(this.aT[layer][group.ordinal()].get(range));
		NDArray delta = second(layer, group, range, u, true).reshape(plan.slots() * (long) plan.maxRows(), -1);
		y.addi(plan.inPlace() ? delta : delta.get(new NDIndex("{}", plan.gather())));
	}

	private void addRows(LoraRowsKernel.Factors factors, int[] slotOfRow, NDArray x, NDArray y) {
		int rows = slotOfRow.length;
		int bytes = Math.toIntExact((long) rows * factors.width() * Float.BYTES);
		if (this.deltas == null || this.deltas.capacity() < bytes) {
			this.deltas = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
		}
		// the input's own memory when it is contiguous, else a copy
		ByteBuffer input = x.toByteBuffer(true);
		LoraRowsKernel.apply(factors, slotOfRow, MemorySegment.ofBuffer(input), MemorySegment.ofBuffer(this.deltas));
		Reference.reachabilityFence(input);
		ByteBuffer written = this.deltas.duplicate().order(ByteOrder.nativeOrder());
		written.limit(bytes);
		try (NDArray delta = this.manager.create(written, new Shape(rows, factors.width()), DataType.FLOAT32)) {
			y.addi(delta);
		}
	}

	/**
	 * Chooses between {@link LoraRowsKernel} and PyTorch's batched matmul for the decode
	 * rows of many adapters, in every bank of this JVM where the kernel can run: for
	 * benchmarks and tests that compare the two side by side. The kernel is the default.
	 * @param kernel whether to use the kernel
	 */
	public static void preferRowsKernel(boolean kernel) {
		rowsKernelPreferred = kernel;
	}

	/**
	 * The second factors of a group: each module's rank columns of {@code u} times its
	 * own {@code B}, so that no zeros of another module's factor are read, side by side.
	 * @param slots one slot ({@code u} is {@code [rows, k·R]}) or a range of them
	 * ({@code u} is {@code [slots, rows, k·R]})
	 * @param batched whether {@code slots} is a range
	 * @return the group's fused delta, {@code u}'s leading dimensions by {@code out}
	 */
	private NDArray second(int layer, LoraGroup group, NDIndex slots, NDArray u, boolean batched) {
		int[] modules = group.moduleIndices();
		NDList deltas = new NDList(modules.length);
		for (int i = 0; i < modules.length; i++) {
			NDArray ui = (modules.length == 1) ? u
					: u.get(new NDIndex(batched ? ":, :, {}:{}" : ":, {}:{}", i * this.rank, (i + 1) * this.rank));
			NDArray b = this.bc[layer][modules[i]].get(slots);
			deltas.add(batched ? ui.batchMatMul(b) : ui.matMul(b));
		}
		return (deltas.size() == 1) ? deltas.get(0) : NDArrays.concat(deltas, -1);
	}

	@Override
	public void close() {
		this.manager.close();
	}

	/**
	 * How the rows of one bank are laid out for {@link #addBatched}.
	 *
	 * @param firstSlot the lowest slot used
	 * @param slots the slot range's length
	 * @param maxRows the most rows any slot has
	 * @param scatter for each padded position, the row it reads (padding reads row 0 and
	 * is never gathered back), {@code [slots · maxRows]} int64
	 * @param gather for each row, its padded position, {@code [rows]} int64
	 * @param inPlace whether the rows already are the padded block (one row per slot, in
	 * slot order, no slot skipped), so that scattering and gathering can be left out
	 * @param slotOfRow each row's slot
	 */
	public record BankRows(int firstSlot, int slots, int maxRows, NDArray scatter, NDArray gather, boolean inPlace,
			int[] slotOfRow) {

		/**
		 * Lays out rows by slot.
		 * @param slotOfRow each row's slot
		 * @param manager where to create the index tensors
		 * @return the layout
		 */
		public static BankRows of(int[] slotOfRow, NDManager manager) {
			int lo = Integer.MAX_VALUE;
			int hi = -1;
			for (int s : slotOfRow) {
				lo = Math.min(lo, s);
				hi = Math.max(hi, s);
			}
			int slots = hi - lo + 1;
			int[] counts = new int[slots];
			for (int s : slotOfRow) {
				counts[s - lo]++;
			}
			int maxRows = 0;
			for (int c : counts) {
				maxRows = Math.max(maxRows, c);
			}
			long[] scatter = new long[slots * maxRows];
			long[] gather = new long[slotOfRow.length];
			int[] next = new int[slots];
			boolean inPlace = slots == slotOfRow.length;
			for (int row = 0; row < slotOfRow.length; row++) {
				int s = slotOfRow[row] - lo;
				int position = s * maxRows + next[s]++;
				scatter[position] = row;
				gather[row] = position;
				inPlace &= position == row;
			}
			return new BankRows(lo, slots, maxRows, manager.create(scatter), manager.create(gather), inPlace,
					slotOfRow.clone());
		}

	}

}
