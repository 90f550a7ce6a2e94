package io.quiver.worker.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine from the native library bundled in the
 * {@code pytorch-native-cpu} jar, never from the network.
 */
public final class Torch {

	private static final Logger logger = LoggerFactory.getLogger(Torch.class);

	/** The OpenMP setting the engine starts with unless the environment names one. */
	static final String WAIT_POLICY = "OMP_WAIT_POLICY";

	private Torch() {
	}

	/**
	 * Loads the PyTorch engine (once per JVM) in offline mode.
	 * @return the engine
	 */
	public static synchronized Engine engine() {
		// DJL reads this switch from system properties only; without it a missing
		// native library would be fetched from the network.
		if (System.getProperty("ai.djl.offline") == null) {
			System.setProperty("ai.djl.offline", "true");
		}
		preferPassiveWaits();
		return Engine.getEngine("PyTorch");
	}

	/**
	 * A fresh root manager on the PyTorch engine's CPU device.
	 * @return the manager; close it to free everything created under it
	 */
	public static NDManager newManager() {
		return engine().newBaseManager();
	}

	/**
	 * An index tensor, int64 as PyTorch's indexing wants it.
	 * @param manager the manager (or scope) it belongs to
	 * @param values the indices
	 * @return {@code [values.length]} int64
	 */
	public static NDArray indices(NDManager manager, int[] values) {
		long[] longs = new long[values.length];
		for (int i = 0; i < values.length; i++) {
			longs[i] = values[i];
		}
		return manager.create(longs);
	}

	/**
	 * A new fp32 tensor holding {@code values}, row-major, copied straight into memory
	 * PyTorch allocated, which closing the tensor (or its scope) frees. DJL's
	 * {@code create(float[], Shape)} puts them in a fresh direct buffer instead, which
	 * only a garbage collection frees: the Java steps of a decode pass create about
	 * ninety such tensors, and over 300 passes of 32 rows of a SmolLM2-sized model the
	 * process peaked at 1,545–1,575 MB resident that way against 1,441–1,507 MB with
	 * this, at the same speed. On a GPU, where the tensor's memory cannot be written from
	 * Java, DJL copies the values over.
	 * @param manager the manager (or scope) it belongs to
	 * @param values the elements
	 * @param shape its shape, of {@code values.length} elements
	 * @return the tensor
	 */
	public static NDArray tensor(NDManager manager, float[] values, Shape shape) {
		if (shape.size() != values.length) {
			throw new IllegalArgumentException(values.length + " values do not fill a tensor of shape " + shape);
		}
		if (manager.getDevice().isGpu()) {
			return manager.create(values, shape);
		}
		NDArray tensor = manager.create(shape, DataType.FLOAT32);
		ByteBuffer memory = tensor.toByteBuffer(true);
		try {
			MemorySegment.copy(values, 0, MemorySegment.ofBuffer(memory), ValueLayout.JAVA_FLOAT_UNALIGNED, 0,
					values.length);
		}
		finally {
			Reference.reachabilityFence(memory);
		}
		return tensor;
	}

	/**
	 * Whether a tensor's elements lie in row-major order without gaps, so that
	 * {@link NDArray#toByteBuffer(boolean) toByteBuffer(true)} hands out its own memory
	 * rather than a copy. DJL does not make this public; when its internals cannot be
	 * reached, the answer is {@code false}, and callers take their copying path.
	 * @param array a tensor of the PyTorch engine
	 * @return whether it is contiguous
	 */
	public static boolean isContiguous(NDArray array) {
		MethodHandle check = Contiguity.CHECK;
		if (check == null || !(array instanceof PtNDArray pt)) {
			return false;
		}
		try {
			return (boolean) check.invoke((long) pt.getHandle());
		}
		catch (Throwable ex) {
			return false;
		}
	}

	/**
	 * DJL's native contiguity check, looked up on first use only (after the engine has
	 * loaded its library).
	 */
	private static final class Contiguity {

		static final MethodHandle CHECK = find();

		private static MethodHandle find() {
			try {
				Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
				Field lib = library.getDeclaredField("LIB");
				lib.setAccessible(true);
				Method method = library.getDeclaredMethod("torchIsContiguous", long.class);
				method.setAccessible(true);
				return MethodHandles.lookup().unreflect(method).bindTo(lib.get(null));
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				logger.info("PyTorch's contiguity check is out of reach ({}); LoRA deltas take the copying path",
						ex.toString());
				return null;
			}
		}

	}

	/**
	 * Runs the calling thread's PyTorch ops on that thread alone until the scope is
	 * closed, which restores the thread's own count: for a pass whose projections the
	 * thread splits with {@link RowWork}'s helpers ({@link Projection}), where OpenMP's
	 * threads would only compete with them for the cores.
	 * @return the scope
	 */
	public static Threads oneThread() {
		int before = JniUtils.getNumThreads();
		if (before != 1) {
			JniUtils.setNumThreads(1);
		}
		return new Threads(before);
	}

	/** A thread's PyTorch thread count, restored on close; see {@link #oneThread}. */
	public static final class Threads implements AutoCloseable {

		private final int before;

		private Threads(int before) {
			this.before = before;
		}

		@Override
		public void close() {
			if (this.before != 1) {
				JniUtils.setNumThreads(this.before);
			}
		}

	}

	private static final ThreadLocal<Boolean> ONE_THREAD = ThreadLocal.withInitial(() -> false);

	/**
	 * Runs the calling thread's PyTorch ops on that thread alone from now on: for
	 * {@link RowWork}'s helpers, whose share of a {@link Projection} must not start an
	 * OpenMP team of its own. PyTorch's count is kept per thread.
	 */
	static void oneThreadForGood() {
		if (!ONE_THREAD.get()) {
			JniUtils.setNumThreads(1);
			ONE_THREAD.set(true);
		}
	}

	/**
	 * Makes PyTorch's OpenMP threads sleep at once when they wait, unless
	 * {@value #WAIT_POLICY} is set in the environment. By default they spin, which is a
	 * little faster on cores nobody else wants, but when anything else runs on the same
	 * cores (the gateway and PostgreSQL beside a local worker, a sidecar, a noisy
	 * neighbour) a spinning thread holds a core the thread it waits for needs: on 2 vCPUs
	 * shared with one busy process, a 32-row decode step of a SmolLM2-sized model took a
	 * median of 6.2 s spinning and 0.52 s passive, with the same best case. libgomp reads
	 * the variable when PyTorch's library is loaded, so it is set in this process's
	 * environment before that.
	 */
	private static void preferPassiveWaits() {
		if (System.getenv(WAIT_POLICY) != null) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			Linker linker = Linker.nativeLinker();
			MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
					FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
							ValueLayout.JAVA_INT));
			int rc = (int) setenv.invokeExact(arena.allocateFrom(WAIT_POLICY), arena.allocateFrom("PASSIVE"), 0);
			if (rc != 0) {
				logger.warn("Could not set {} for PyTorch's threads (setenv returned {})", WAIT_POLICY, rc);
			}
		}
		catch (Throwable ex) {
			logger.warn("Could not set {} for PyTorch's threads: {}", WAIT_POLICY, ex.toString());
		}
	}

}
