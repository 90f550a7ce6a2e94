package io.quiver.worker.kvcache;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Hands out KV-cache blocks, reference counted so sequences can share the blocks of a
 * common prefix (the choices of one request share their prompt's). Plain Java, so the
 * scheduler can plan with it and its tests need no tensors.
 */
public final class BlockAllocator {

	private final int blockSize;

	private final int totalBlocks;

	private final Deque<Integer> free = new ArrayDeque<>();

	// holders of each block; a block is free at zero
	private final int[] references;

	/**
	 * @param blockSize token slots per block
	 * @param totalBlocks blocks in the cache
	 */
	public BlockAllocator(int blockSize, int totalBlocks) {
		if (blockSize <= 0 || totalBlocks <= 0) {
			throw new IllegalArgumentException("block size and count must be positive");
		}
		this.blockSize = blockSize;
		this.totalBlocks = totalBlocks;
		this.references = new int[totalBlocks];
		for (int i = 0; i < totalBlocks; i++) {
			this.free.addLast(i);
		}
	}

	public int blockSize() {
		return this.blockSize;
	}

	public int totalBlocks() {
		return this.totalBlocks;
	}

	public int freeBlocks() {
		return this.free.size();
	}

	/** Blocks needed to hold {@code tokens} token slots. */
	public int blocksFor(int tokens) {
		return (tokens + this.blockSize - 1) / this.blockSize;
	}

	/**
	 * Takes one free block.
	 * @return its id
	 * @throws IllegalStateException when none is free
	 */
	public int allocate() {
		Integer block = this.free.pollFirst();
		if (block == null) {
			throw new IllegalStateException("KV cache is full");
		}
		this.references[block] = 1;
		return block;
	}

	/**
	 * Adds a holder to a block in use: it is freed when every holder has released it.
	 * @param block the block
	 */
	public void share(int block) {
		if (this.references[block] <= 0) {
			throw new IllegalStateException("block " + block + " is free");
		}
		this.references[block]++;
	}

	/** Gives a block back; it is free once its last holder gives it back. */
	public void release(int block) {
		if (this.references[block] <= 0) {
			throw new IllegalStateException("block " + block + " is already free");
		}
		if (--this.references[block] == 0) {
			this.free.addFirst(block);
		}
	}

	/** How many sequences hold a block (0 when free). */
	public int holders(int block) {
		return this.references[block];
	}

	/** The share of blocks in use, 0..1. */
	public double usage() {
		return 1.0 - (double) this.free.size() / this.totalBlocks;
	}

}
