package io.quiver.worker.kvcache;

import java.nio.ByteBuffer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.tensor.Torch;

/**
 * The key and value tensors of every layer, paged: token slot {@code s} of block
 * {@code b} lives at flat row {@code b · blockSize + s}. Writes and reads take flat slot
 * indices, so one op serves a whole batch.
 */
public final class KvCache implements AutoCloseable {

	private final NDManager manager;

	// [layers] of [blocks · blockSize, kvHeads, headDim]: past_key_values' keys
	private final NDArray[] keys;

	// [layers] of [blocks · blockSize, kvHeads, headDim]: past_key_values' values
	private final NDArray[] values;

	private final BlockAllocator blocks;

	/**
	 * Allocates the cache.
	 * @param parent the manager that owns the engine's tensors
	 * @param layers decoder layers
	 * @param kvHeads key/value heads
	 * @param headDim head dimension
	 * @param blockSize token slots per block
	 * @param totalBlocks blocks
	 */
	public KvCache(NDManager parent, int layers, int kvHeads, int headDim, int blockSize, int totalBlocks) {
		this.manager = parent.newSubManager();
		this.blocks = new BlockAllocator(blockSize, totalBlocks);
		this.keys = new NDArray[layers];
		this.values = new NDArray[layers];
		Shape shape = new Shape((long) blockSize * totalBlocks, kvHeads, headDim);
		for (int i = 0; i < layers; i++) {
			this.keys[i] = this.manager.zeros(shape, DataType.FLOAT32);
			this.values[i] = this.manager.zeros(shape, DataType.FLOAT32);
		}
	}

	/** Bytes one cached token takes across all layers. */
	public static long bytesPerToken(int layers, int kvHeads, int headDim) {
		return 2L * layers * kvHeads * headDim * Float.BYTES;
	}

	public BlockAllocator blocks() {
		return this.blocks;
	}

	/**
	 * Writes new keys and values in place.
	 * @param layer the layer
	 * @param slots flat slot per row, {@code [rows]} int64
	 * @param k {@code [rows, kvHeads, headDim]}
	 * @param v {@code [rows, kvHeads, headDim]}
	 */
	public void write(int layer, NDArray slots, NDArray k, NDArray v) {
		this.keys[layer].set(new NDIndex("{}", slots), k);
		this.values[layer].set(new NDIndex("{}", slots), v);
	}

	/**
	 * Gathers keys at the given slots; the result belongs to the caller's scope.
	 * @param layer the layer
	 * @param slots flat slots, {@code [n]} int64
	 * @return {@code [n, kvHeads, headDim]}
	 */
	public NDArray keys(int layer, NDArray slots) {
		return this.keys[layer].get(new NDIndex("{}", slots));
	}

	/**
	 * Gathers values at the given slots; the result belongs to the caller's scope.
	 * @param layer the layer
	 * @param slots flat slots, {@code [n]} int64
	 * @return {@code [n, kvHeads, headDim]}
	 */
	public NDArray values(int layer, NDArray slots) {
		return this.values[layer].get(new NDIndex("{}", slots));
	}

	/**
	 * The memory of a layer's keys, for kernels that read the cache in place.
	 * @param layer the layer
	 * @return {@code [slots, kvHeads, headDim]} float32, row-major; valid while the cache
	 * is open
	 */
	public ByteBuffer keyMemory(int layer) {
		return this.keys[layer].toByteBuffer(true);
	}

	/**
	 * The memory of a layer's values, for kernels that read the cache in place.
	 * @param layer the layer
	 * @return {@code [slots, kvHeads, headDim]} float32, row-major; valid while the cache
	 * is open
	 */
	public ByteBuffer valueMemory(int layer) {
		return this.values[layer].toByteBuffer(true);
	}

	/**
	 * @return whether the cache lives in this process's memory as plain row-major
	 * tensors, so that {@link #keyMemory} and {@link #valueMemory} hand out the tensors'
	 * own memory rather than copies
	 */
	public boolean inHostMemory() {
		return !this.keys[0].getDevice().isGpu() && Torch.isContiguous(this.keys[0])
				&& Torch.isContiguous(this.values[0]);
	}

	@Override
	public void close() {
		this.manager.close();
	}

}
