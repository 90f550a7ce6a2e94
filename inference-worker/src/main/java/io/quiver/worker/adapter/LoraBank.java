package io.quiver.worker.adapter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.tensor.Kernels;
import io.quiver.worker.tensor.Torch;
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
 * On the CPU, every row of a pass on this bank's adapters, decode and prefill alike
 * ({@link #addBatched}), is computed by {@link LoraRowsKernel} straight from the bank's
 * memory when the JVM has the Vector API; otherwise, and on a GPU, decode rows of many
 * adapters by PyTorch's batched matmul. There, the bank also keeps a bf16 copy of each
 * adapter stored in bf16, which the kernel reads instead: exact, and half the bytes on
 * the path whose cost is the bytes.
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

	// with the kernel: [group] of [layers, capacity, block], a bf16 copy of a slot's
	// factors of the group in one run per layer, its a (k·R rows of in) then each
	// module's b unscaled (R rows of out), written only for the slots marked in half;
	// else null. The kernel reads a decode row's factors front to back, which the
	// hardware prefetcher streams better than the separate runs of a and b. The bf16
	// bits sit in fp16 tensors, which PyTorch only ever copies here (bit for bit), never
	// computes with: DJL's PyTorch engine creates neither bf16 nor int16 tensors.
	private NDArray[] ab16;

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

	// each slot's choice of copy for the kernel (see ab16), and its scale
	private boolean[] half = new boolean[0];

	private float[] scales = new float[0];

	// whether each slot's factors are in a and b, which PyTorch's paths read: an adapter
	// the kernel reads from the bf16 copy is written there only once such a path needs
	// it (see inFp32)
	private boolean[] fp32 = new boolean[0];

	// the largest layer's slice of a factor tensor the kernel takes as one buffer;
	// lowered
	// only by tests, which grow a small bank past it
	static long maxViewBytes = Integer.MAX_VALUE;

	// whether addBatched uses LoraRowsKernel where it can run; see preferRowsKernel
	private static volatile boolean rowsKernelPreferred = true;

	// whether LoraRowsKernel can run on this bank: on the CPU, with the Vector API
	private final boolean rowsKernel;

	// [layers][group] of the kernel's views of a and b, when rowsKernel and every
	// layer's slice of the bank is small enough to hand out as one buffer
	private LoraRowsKernel.Factors[][] factors;

	// the kernel's deltas, [rows, width] row-major, where they go through memory (see
	// LoraRowsKernel.apply), and a transposed input's rows, [rows, in] row-major
	private MemorySegment deltas = MemorySegment.NULL;

	private float[] inputs;

	// a direct buffer the factors of an adapter pass through on their way into the bank
	private ByteBuffer staging;

	// a bf16 adapter's factors widened to fp32 on their way into the staging buffer
	private float[] widened = new float[0];

	// one module's lora_B of a layer of a bf16 adapter, transposed on its way into the
	// bank's bf16 copy
	private short[] transposed = new short[0];

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

	/**
	 * Bytes a slot holds: its fp32 factors, and their bf16 copy where the kernel reads
	 * one. A bf16 adapter's fp32 factors count from the start, though they are written
	 * only once a PyTorch path needs them (see {@code add}), so that writing them never
	 * takes the device tier past its budget.
	 * @param slot the slot
	 * @return the bytes
	 */
	public long slotBytes(int slot) {
		long fp32 = slotBytes(this.config, this.rank);
		return this.half[slot] ? fp32 + fp32 / 2 : fp32;
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
	 * untargeted modules as zeros; a bf16 adapter's fp32 factors, where the kernel reads
	 * the bf16 copy, once a PyTorch path needs them), and a slot nobody holds is only
	 * read for padding rows that are never gathered back.
	 */
	private void allocate(int newCapacity) {
		if (this.factors != null && !viewsFit(newCapacity)) {
			// The kernel cannot run on the grown bank, and PyTorch will read every slot
			// from the fp32 factors: write those a bf16 adapter has left to the kernel so
			// far, before they are copied over.
			for (int slot = this.used.nextSetBit(0); slot >= 0; slot = this.used.nextSetBit(slot + 1)) {
				inFp32(slot);
			}
		}
		NDManager next = this.parent.newSubManager();
		int layers = this.config.numLayers();
		LoraGroup[] groups = LoraGroup.values();
		this.a = grow(next, firstFactors(newCapacity), DataType.FLOAT32, this.a);
		this.b = grow(next, secondFactors(newCapacity), DataType.FLOAT32, this.b);
		if (this.rowsKernel) {
			this.ab16 = grow(next, halfFactors(newCapacity), DataType.FLOAT16, this.ab16);
		}
		if (this.manager != null) {
			this.manager.close();
		}
		this.manager = next;
		this.capacity = newCapacity;
		this.ranks = Arrays.copyOf(this.ranks, newCapacity);
		this.targets = Arrays.copyOf(this.targets, newCapacity);
		this.half = Arrays.copyOf(this.half, newCapacity);
		this.scales = Arrays.copyOf(this.scales, newCapacity);
		this.fp32 = Arrays.copyOf(this.fp32, newCapacity);
		this.aT = new NDArray[layers][groups.length];
		this.bc = new NDArray[layers][this.b.length];
		this.aLayer = new NDArray[layers][groups.length];
		for (int layer = 0; layer < layers; layer++) {
			NDIndex at = new NDIndex("{}", layer);
			for (int g = 0; g < groups.length; g++) {
				this.aLayer[layer][g] = this.a[g].get(at);
				this.aT[layer][g] = this.aLayer[layer][g].transpose(0, 2, 1);
			}
			for (int m = 0; m < this.b.length; m++) {
				this.bc[layer][m] = this.b[m].get(at);
			}
		}
		this.factors = this.rowsKernel ? kernelFactors() : null;
	}

	/** Each group's first factors' shape, {@code [layers, capacity, k·R, in]}. */
	private Shape[] firstFactors(int slots) {
		LoraGroup[] groups = LoraGroup.values();
		Shape[] shapes = new Shape[groups.length];
		for (LoraGroup g : groups) {
			shapes[g.ordinal()] = new Shape(this.config.numLayers(), slots, (long) g.modules().size() * this.rank,
					LoraWeights.inputWidth(g.modules().get(0), this.config));
		}
		return shapes;
	}

	/** Each module's second factors' shape, {@code [layers, capacity, R, out]}. */
	private Shape[] secondFactors(int slots) {
		Shape[] shapes = new Shape[LoraWeights.MODULES.size()];
		for (int m = 0; m < shapes.length; m++) {
			shapes[m] = new Shape(this.config.numLayers(), slots, this.rank,
					LoraWeights.outputWidth(LoraWeights.MODULES.get(m), this.config));
		}
		return shapes;
	}

	/** Each group's bf16 copy's shape, {@code [layers, capacity, block]}. */
	private Shape[] halfFactors(int slots) {
		LoraGroup[] groups = LoraGroup.values();
		Shape[] shapes = new Shape[groups.length];
		for (LoraGroup g : groups) {
			shapes[g.ordinal()] = new Shape(this.config.numLayers(), slots, halfBlock(g));
		}
		return shapes;
	}

	/** A slot's elements in one layer of a group's bf16 copy. */
	private long halfBlock(LoraGroup group) {
		long block = (long) group.modules().size() * this.rank
				* LoraWeights.inputWidth(group.modules().get(0), this.config);
		for (String module : group.modules()) {
			block += (long) this.rank * LoraWeights.outputWidth(module, this.config);
		}
		return block;
	}

	/**
	 * New bank tensors of the given shapes, holding the slots of the old ones (if any).
	 */
	private NDArray[] grow(NDManager next, Shape[] shapes, DataType type, NDArray[] old) {
		NDArray[] grown = new NDArray[shapes.length];
		for (int i = 0; i < shapes.length; i++) {
			grown[i] = next.create(shapes[i], type);
			if (old != null) {
				grown[i].set(new NDIndex(":, :{}", this.capacity), old[i]);
			}
		}
		return grown;
	}

	/**
	 * The kernel's views of the factors: each layer's slice of a bank tensor is
	 * contiguous, so PyTorch hands out its memory as is.
	 */
	private LoraRowsKernel.Factors[][] kernelFactors() {
		LoraGroup[] groups = LoraGroup.values();
		if (!viewsFit(this.capacity)) {
			return null;
		}
		LoraRowsKernel.Factors[][] views = new LoraRowsKernel.Factors[this.aLayer.length][groups.length];
		for (int layer = 0; layer < this.aLayer.length; layer++) {
			NDIndex at = new NDIndex("{}", layer);
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
						this.targets, memory(this.ab16[g.ordinal()].get(at)), this.half, this.scales);
			}
		}
		return views;
	}

	/**
	 * Whether every layer's slice of the fp32 factors of a bank of {@code slots} slots is
	 * small enough to hand out as one buffer, so that the kernel can run on it.
	 */
	private boolean viewsFit(int slots) {
		for (Shape[] shapes : List.of(firstFactors(slots), secondFactors(slots))) {
			for (Shape shape : shapes) {
				if (shape.size() / shape.get(0) * Float.BYTES > maxViewBytes) {
					return false;
				}
			}
		}
		return true;
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
		boolean half = this.ab16 != null && weights.bf16();
		// Where the kernel runs, a bf16 adapter is read from its bf16 copy alone: its
		// fp32 copy is left to the first PyTorch path that needs it (inFp32). Writing it
		// too made adding a rank-16 bf16 adapter on all seven modules of a SmolLM2-sized
		// model take 7.7 against 2.9 ms (p50 of 35 adds each way, alternating, two
		// runs), on the engine thread, and the slot resident at three times the bytes.
		boolean fp32 = !half || this.factors == null;
		NDIndex at = new NDIndex(":, {}", slot);
		for (LoraGroup g : LoraGroup.values()) {
			if (fp32) {
				Shape first = new Shape(layers, g.modules().size() * (long) this.rank,
						LoraWeights.inputWidth(g.modules().get(0), this.config));
				stageFirst(weights, g);
				copyIn(this.a[g.ordinal()], at, first, false, 1f);
				for (int module : g.moduleIndices()) {
					// lora_B as stored, [out, r] padded to [out, R]; the copy into the
					// bank transposes it
					Shape second = new Shape(layers,
							LoraWeights.outputWidth(LoraWeights.MODULES.get(module), this.config), this.rank);
					stageSecond(weights, module);
					copyIn(this.b[module], at, second, true, (float) weights.scale());
				}
			}
			if (half) {
				writeHalf(weights, g, slot);
			}
		}
		this.used.set(slot);
		this.fp32[slot] = fp32;
		this.ranks[slot] = weights.rank();
		this.half[slot] = half;
		this.scales[slot] = (float) weights.scale();
		int targeted = 0;
		for (int module = 0; module < LoraWeights.MODULES.size(); module++) {
			for (int layer = 0; layer < layers; layer++) {
				if (weights.targets(layer, module)) {
					targeted |= 1 << module;
				}
			}
		}
		this.targets[slot] = targeted;
		return slot;
	}

	/**
	 * Stages a group's first factors for all layers, {@code [layers, k·R, in]}: module
	 * {@code i}'s rows at {@code i·R}, padded with zeros.
	 */
	private void stageFirst(LoraWeights weights, LoraGroup group) {
		int in = LoraWeights.inputWidth(group.modules().get(0), this.config);
		int[] modules = group.moduleIndices();
		int perLayer = modules.length * this.rank * in;
		Staged staged = staging((long) this.config.numLayers() * perLayer, weights);
		for (int layer = 0; layer < this.config.numLayers(); layer++) {
			for (int i = 0; i < modules.length; i++) {
				if (weights.targets(layer, modules[i])) {
					staged.put(layer * perLayer + i * this.rank * in, weights.factorA(layer, modules[i]), 0,
							weights.rank() * in);
				}
			}
		}
	}

	/**
	 * Stages a module's {@code lora_B} for all layers, {@code [layers, out, R]}: each row
	 * padded with zeros from the adapter's rank to the bank's.
	 */
	private void stageSecond(LoraWeights weights, int module) {
		int out = LoraWeights.outputWidth(LoraWeights.MODULES.get(module), this.config);
		int r = weights.rank();
		int rr = this.rank;
		Staged staged = staging((long) this.config.numLayers() * out * rr, weights);
		for (int layer = 0; layer < this.config.numLayers(); layer++) {
			if (!weights.targets(layer, module)) {
				continue;
			}
			LoraWeights.Factor b = weights.factorB(layer, module);
			if (r == rr) {
				staged.put(layer * out * rr, b, 0, out * rr);
				continue;
			}
			for (int o = 0; o < out; o++) {
				staged.put((layer * out + o) * rr, b, o * r, r);
			}
		}
	}

	/**
	 * Clears the staging buffer to zeros over its first {@code elements} (padding ranks
	 * and untargeted modules must be written as zeros), grown when too small, and gives a
	 * way to copy an adapter's factors into it as fp32 (a bf16 adapter's widened). One
	 * direct buffer serves every add, so that adding an adapter allocates and faults in
	 * no fresh memory and PyTorch reads the factors in place.
	 */
	private Staged staging(long elements, LoraWeights weights) {
		long bytes = elements * Float.BYTES;
		if (this.staging == null || this.staging.capacity() < bytes) {
			this.staging = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
		}
		MemorySegment.ofBuffer(this.staging).asSlice(0, bytes).fill((byte) 0);
		FloatBuffer floats = this.staging.asFloatBuffer();
		if (!weights.bf16()) {
			return (at, factor, from, count) -> floats.put(at, factor.floats(), from, count);
		}
		return (at, factor, from, count) -> {
			if (this.widened.length < count) {
				this.widened = new float[count];
			}
			short[] bits = factor.bits();
			for (int i = 0; i < count; i++) {
				this.widened[i] = Float.intBitsToFloat(bits[from + i] << 16);
			}
			floats.put(at, this.widened, 0, count);
		};
	}

	/** Where factors are staged. */
	@FunctionalInterface
	private interface Staged {

		/**
		 * Copies {@code count} of a factor's elements from {@code from} to element
		 * {@code at} of the staging buffer.
		 */
		void put(int at, LoraWeights.Factor factor, int from, int count);

	}

	/**
	 * Copies the staged factors into a slot of a bank tensor.
	 * @param bank the bank tensor, {@code [layers, capacity, ...]}: fp32, or fp16-typed
	 * for bf16 bits, as staged
	 * @param slot the slot's index
	 * @param shape the staged factors' shape
	 * @param transposed whether the two last dimensions are swapped on the way in
	 * @param scale a factor to multiply fp32 factors by on the way in
	 */
	private void copyIn(NDArray bank, NDIndex slot, Shape shape, boolean transposed, float scale) {
		ByteBuffer bytes = this.staging.duplicate().order(ByteOrder.nativeOrder());
		DataType type = bank.getDataType();
		bytes.limit(Math.toIntExact(shape.size() * type.getNumOfBytes()));
		try (NDArray staged = this.manager.create(bytes, shape, type)) {
			if (scale != 1f) {
				staged.muli(scale);
			}
			bank.set(slot, transposed ? staged.transpose(0, 2, 1) : staged);
		}
	}

	/**
	 * Writes a bf16 adapter's factors of a group into its slot's run of the group's bf16
	 * copy, layer by layer, from Java straight into the tensor's memory: each module's
	 * {@code lora_A} rows as stored, at row {@code i·R}, then each module's
	 * {@code lora_B} transposed, {@code [R, out]}; ranks past the adapter's and modules
	 * it does not target are zeros. Through PyTorch (the bits staged as an fp16-typed
	 * tensor, transposed and set into the bank), adding a rank-16 bf16 adapter on all
	 * seven modules of a SmolLM2-sized model took 18.9–19.3 ms; so, 12.0–13.0 ms (p50 of
	 * 30 adds, two runs each).
	 */
	private void writeHalf(LoraWeights weights, LoraGroup group, int slot) {
		int in = LoraWeights.inputWidth(group.modules().get(0), this.config);
		int[] modules = group.moduleIndices();
		int r = weights.rank();
		int rr = this.rank;
		for (int layer = 0; layer < this.config.numLayers(); layer++) {
			try (NDArray run = this.ab16[group.ordinal()].get(new NDIndex("{}, {}", layer, slot))) {
				ByteBuffer bytes = run.toByteBuffer(true);
				MemorySegment memory = MemorySegment.ofBuffer(bytes);
				memory.fill((byte) 0);
				long at = 0;
				for (int i = 0; i < modules.length; i++) {
					if (weights.targets(layer, modules[i])) {
						MemorySegment.copy(weights.factorA(layer, modules[i]).bits(), 0, memory,
								ValueLayout.JAVA_SHORT_UNALIGNED, (at + (long) i * rr * in) * Short.BYTES, r * in);
					}
				}
				at += (long) modules.length * rr * in;
				for (int module : modules) {
					int out = LoraWeights.outputWidth(LoraWeights.MODULES.get(module), this.config);
					if (weights.targets(layer, module)) {
						short[] b = weights.factorB(layer, module).bits();
						if (this.transposed.length < r * out) {
							this.transposed = new short[r * out];
						}
						for (int o = 0; o < out; o++) {
							for (int j = 0; j < r; j++) {
								this.transposed[j * out + o] = b[o * r + j];
							}
						}
						MemorySegment.copy(this.transposed, 0, memory, ValueLayout.JAVA_SHORT_UNALIGNED,
								at * Short.BYTES, r * out);
					}
					at += (long) rr * out;
				}
				Reference.reachabilityFence(bytes);
			}
		}
	}

	/** Frees a slot for reuse. */
	public void remove(int slot) {
		this.used.clear(slot);
		this.half[slot] = false;
		this.fp32[slot] = false;
	}

	/**
	 * Makes sure a slot's factors are in the fp32 tensors, for a PyTorch path to read: a
	 * bf16 adapter that only the kernel has read so far is widened from the bank's bf16
	 * copy, {@code B} scaled on the way, as {@link #add} would have written it.
	 */
	private void inFp32(int slot) {
		if (slot == BankRows.SKIPPED || this.fp32[slot] || !this.used.get(slot)) {
			return;
		}
		for (LoraRowsKernel.Factors[] layer : this.factors) {
			for (LoraRowsKernel.Factors f : layer) {
				long from = slot * f.halfBlock();
				long first = (long) f.modules().length * this.rank * f.in();
				widen(f.ab16(), from, f.a(), slot * first, first, 1f);
				from += first;
				for (int i = 0; i < f.modules().length; i++) {
					long second = (long) this.rank * f.outs()[i];
					widen(f.ab16(), from, f.b()[i], slot * second, second, this.scales[slot]);
					from += second;
				}
			}
		}
		this.fp32[slot] = true;
	}

	/**
	 * Writes {@code count} bf16 numbers from element {@code from}, widened and scaled.
	 */
	private static void widen(MemorySegment bits, long from, MemorySegment floats, long to, long count, float scale) {
		for (long i = 0; i < count; i++) {
			float value = Float
				.intBitsToFloat(bits.get(ValueLayout.JAVA_SHORT_UNALIGNED, (from + i) * Short.BYTES) << 16);
			floats.set(ValueLayout.JAVA_FLOAT_UNALIGNED, (to + i) * Float.BYTES, value * scale);
		}
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
		inFp32(slot);
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
	 * @param firstRow the first of this bank's rows in the batch (the plan's rows follow
	 * it)
	 * @param x the batch's input rows, {@code [n, in]}
	 * @param y the batch's output rows, {@code [n, out]}, added to in place
	 */
	public void addBatched(int layer, LoraGroup group, BankRows plan, int firstRow, NDArray x, NDArray y) {
		int rows = plan.slotOfRow().length;
		if (this.factors != null && rowsKernelPreferred) {
			addRows(this.factors[layer][group.ordinal()], plan.slotOfRow(), plan.order(), firstRow, x, y);
			return;
		}
		if (plan.scatter() == null) {
			throw new IllegalStateException("a layout for the kernel only, in a bank without it");
		}
		for (int slot : plan.slotOfRow()) {
			inFp32(slot);
		}
		boolean whole = firstRow == 0 && rows == x.getShape().get(0);
		NDIndex ours = new NDIndex("{}:{}", firstRow, firstRow + rows);
		NDArray input = whole ? x : x.get(ours);
		long in = x.getShape().get(1);
		NDIndex range = new NDIndex("{}:{}", plan.firstSlot(), plan.firstSlot() + plan.slots());
		NDArray scattered = plan.inPlace() ? input : input.get(new NDIndex("{}", plan.scatter()));
		NDArray u = scattered.reshape(plan.slots(), plan.maxRows(), in)
			.batchMatMul(this.aT[layer][group.ordinal()].get(range));
		NDArray delta = second(layer, group, range, u, true).reshape(plan.slots() * (long) plan.maxRows(), -1);
		(whole ? y : y.get(ours)).addi(plan.inPlace() ? delta : delta.get(new NDIndex("{}", plan.gather())));
	}

	/**
	 * Whether {@link #addBatched(int, LoraGroup, BankRows, int, NDArray, float[])} can
	 * run: on the CPU, with the Vector API's kernel.
	 * @return whether deltas can be added into row-major arrays
	 */
	public boolean addsToArrays() {
		return this.factors != null && rowsKernelPreferred;
	}

	/**
	 * {@link #addBatched(int, LoraGroup, BankRows, int, NDArray, NDArray)} into a Java
	 * array of the batch's output rows, where the forward pass keeps them row-major: each
	 * row's delta is added by the thread that computed it, with no tensor to read back
	 * and no pass over the output's columns. Only where {@link #addsToArrays()}.
	 * @param layer the layer
	 * @param group the projection group
	 * @param plan where each row goes
	 * @param firstRow the first of this bank's rows in the batch
	 * @param x the batch's input rows, {@code [n, in]}
	 * @param y the batch's output rows, {@code [n · out]} row-major, added to in place
	 */
	public void addBatched(int layer, LoraGroup group, BankRows plan, int firstRow, NDArray x, float[] y) {
		if (!addsToArrays()) {
			throw new IllegalStateException("this bank adds deltas into tensors only");
		}
		LoraRowsKernel.Factors factors = this.factors[layer][group.ordinal()];
		int n = Math.toIntExact(x.getShape().get(0));
		if (y.length != n * factors.width()) {
			throw new IllegalArgumentException("expected " + n + " rows of " + factors.width());
		}
		Rows input = input(factors, plan.slotOfRow().length, firstRow, x);
		LoraRowsKernel.apply(factors, plan.slotOfRow(), plan.order(), input.rows(), MemorySegment.NULL,
				LoraRowsKernel.Target.rows(y, n, firstRow));
		Reference.reachabilityFence(input.memory());
	}

	/**
	 * The kernel's path: reads the input rows and adds the deltas in the layouts the
	 * tensors already have, so that no tensor is copied to change its layout. A
	 * projection's output is a transposed view of a contiguous {@code [out, n]} (see
	 * {@code Kernels.linear}), and so is an input that is computed from one elementwise.
	 */
	private void addRows(LoraRowsKernel.Factors factors, int[] slotOfRow, int[] order, int first, NDArray x,
			NDArray y) {
		int rows = slotOfRow.length;
		int n = Math.toIntExact(x.getShape().get(0));
		int width = factors.width();
		Rows input = input(factors, rows, first, x);
		if (this.deltas.byteSize() < (long) rows * width * Float.BYTES) {
			this.deltas = Arena.ofAuto().allocate((long) rows * width * Float.BYTES, 64);
		}
		NDArray yT = y.transpose();
		NDArray added = Torch.isContiguous(yT) ? yT : Torch.isContiguous(y) ? y : null;
		ByteBuffer target = (added != null) ? added.toByteBuffer(true) : null;
		LoraRowsKernel.apply(factors, slotOfRow, order, input.rows(), this.deltas, (target == null) ? null
				: LoraRowsKernel.Target.of(MemorySegment.ofBuffer(target), n, first, added == yT));
		Reference.reachabilityFence(input.memory());
		Reference.reachabilityFence(target);
		if (target == null) {
			NDArray ours = (first == 0 && rows == n) ? y : y.get(new NDIndex("{}:{}", first, first + rows));
			float[] values = new float[rows * width];
			MemorySegment.copy(this.deltas, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values, 0, values.length);
			try (NDArray delta = Torch.tensor(this.manager, values, new Shape(rows, width))) {
				ours.addi(delta);
			}
		}
	}

	/**
	 * The kernel's input rows of {@code x}, row-major: a row-major tensor's memory as it
	 * is, a transposed one's rows transposed into an array by tiles in registers
	 * ({@code Kernels.transpose}), any other layout copied by PyTorch.
	 *
	 * @param rows the rows, {@code [rows, in]}
	 * @param memory the tensor memory they are read from, to keep reachable while the
	 * kernel runs, or null for an array
	 */
	private record Rows(MemorySegment rows, ByteBuffer memory) {
	}

	private Rows input(LoraRowsKernel.Factors factors, int rows, int first, NDArray x) {
		int n = Math.toIntExact(x.getShape().get(0));
		int in = factors.in();
		NDArray xT = Torch.isContiguous(x) ? null : x.transpose();
		if (xT == null) {
			ByteBuffer source = x.toByteBuffer(true);
			return new Rows(MemorySegment.ofBuffer(source)
				.asSlice((long) first * in * Float.BYTES, (long) rows * in * Float.BYTES), source);
		}
		if (Torch.isContiguous(xT)) {
			ByteBuffer source = xT.toByteBuffer(true);
			this.inputs = grown(this.inputs, rows * in);
			Kernels.transpose(MemorySegment.ofBuffer(source), first, n, in, rows, this.inputs, 0, in);
			Reference.reachabilityFence(source);
			return new Rows(MemorySegment.ofArray(this.inputs), null);
		}
		ByteBuffer source = ((first == 0 && rows == n) ? x : x.get(new NDIndex("{}:{}", first, first + rows)))
			.toByteBuffer(true);
		return new Rows(MemorySegment.ofBuffer(source), source);
	}

	private static float[] grown(float[] buffer, int floats) {
		return (buffer == null || buffer.length < floats) ? new float[floats] : buffer;
	}

	/**
	 * Chooses between {@link LoraRowsKernel} and PyTorch's batched matmul for the decode
	 * rows of many adapters, in every bank of this JVM where the kernel can run: for
	 * tests that hold the two against each other. The kernel is the default.
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
	 * is never gathered back), {@code [slots · maxRows]} int64; null in a layout for the
	 * kernel only
	 * @param gather for each row, its padded position, {@code [rows]} int64; null in a
	 * layout for the kernel only
	 * @param inPlace whether the rows already are the padded block (one row per slot, in
	 * slot order, no slot skipped), so that scattering and gathering can be left out
	 * @param slotOfRow each row's slot, or {@link #SKIPPED}
	 * @param order the rows that are not skipped, by slot: the order of their factors in
	 * memory
	 */
	public record BankRows(int firstSlot, int slots, int maxRows, NDArray scatter, NDArray gather, boolean inPlace,
			int[] slotOfRow, int[] order) {

		/**
		 * The slot of a row that the bank leaves as it is: a row of the base model or of
		 * another bank, between rows of this one.
		 */
		public static final int SKIPPED = -1;

		/**
		 * Lays out rows by slot, for the kernel and for PyTorch's batched matmuls.
		 * @param slotOfRow each row's slot
		 * @param manager where to create the index tensors
		 * @return the layout
		 */
		public static BankRows of(int[] slotOfRow, NDManager manager) {
			for (int s : slotOfRow) {
				if (s < 0) {
					throw new IllegalArgumentException("batched matmuls take no skipped rows");
				}
			}
			return layout(slotOfRow, manager);
		}

		/**
		 * Lays out rows by slot for the kernel only ({@link LoraBank#addsToArrays()}),
		 * which leaves rows marked {@link #SKIPPED} as they are.
		 * @param slotOfRow each row's slot, or {@link #SKIPPED}
		 * @return the layout
		 */
		public static BankRows ofRows(int[] slotOfRow) {
			return layout(slotOfRow, null);
		}

		private static BankRows layout(int[] slotOfRow, NDManager manager) {
			int lo = Integer.MAX_VALUE;
			int hi = -1;
			int taken = 0;
			for (int s : slotOfRow) {
				if (s != SKIPPED) {
					lo = Math.min(lo, s);
					hi = Math.max(hi, s);
					taken++;
				}
			}
			if (taken == 0) {
				throw new IllegalArgumentException("no row has a slot");
			}
			int slots = hi - lo + 1;
			int[] counts = new int[slots];
			for (int s : slotOfRow) {
				if (s != SKIPPED) {
					counts[s - lo]++;
				}
			}
			int maxRows = 0;
			for (int c : counts) {
				maxRows = Math.max(maxRows, c);
			}
			// the rows by slot, each slot's in row order: where each slot's rows begin
			int[] next = new int[slots];
			for (int s = 1; s < slots; s++) {
				next[s] = next[s - 1] + counts[s - 1];
			}
			int[] order = new int[taken];
			for (int row = 0; row < slotOfRow.length; row++) {
				if (slotOfRow[row] != SKIPPED) {
					order[next[slotOfRow[row] - lo]++] = row;
				}
			}
			if (manager == null) {
				// the kernel reads the order alone: no padded block, whose size grows
				// with the span of slots times the most rows of one (a prefill chunk)
				return new BankRows(lo, slots, maxRows, null, null, false, slotOfRow.clone(), order);
			}
			long[] scatter = new long[slots * maxRows];
			long[] gather = new long[slotOfRow.length];
			Arrays.fill(next, 0);
			boolean inPlace = slots == slotOfRow.length;
			for (int row = 0; row < slotOfRow.length; row++) {
				int s = slotOfRow[row] - lo;
				int position = s * maxRows + next[s]++;
				scatter[position] = row;
				gather[row] = position;
				inPlace &= position == row;
			}
			return new BankRows(lo, slots, maxRows, manager.create(scatter), manager.create(gather), inPlace,
					slotOfRow.clone(), order);
		}

	}

}
