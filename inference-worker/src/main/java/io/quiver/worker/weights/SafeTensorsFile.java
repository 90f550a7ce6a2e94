package io.quiver.worker.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One memory-mapped safetensors file: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw data.
 */
public final class SafeTensorsFile implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path path;

	private final Arena arena;

	private final MemorySegment data;

	private final Map<String, TensorInfo> tensors;

	private SafeTensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors) {
		this.path = path;
		this.arena = arena;
		this.data = data;
		this.tensors = tensors;
	}

	/**
	 * Maps a safetensors file and parses its header.
	 * @param path the file
	 * @return the opened file; close it to unmap
	 * @throws IOException if the file cannot be read or its header is malformed
	 */
	public static SafeTensorsFile open(Path path) throws IOException {
		Arena arena = Arena.ofShared();
		try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
			long size = channel.size();
			if (size < 8) {
				throw new IOException(path + " is not a safetensors file (too short)");
			}
			MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
			long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
			if (headerLength <= 0 || headerLength > size - 8 || headerLength > 100_000_000) {
				throw new IOException(path + " has an invalid safetensors header length " + headerLength);
			}
			byte[] header = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
			MemorySegment data = all.asSlice(8 + headerLength);
			Map<String, TensorInfo> tensors = parseHeader(path, new String(header, StandardCharsets.UTF_8),
					data.byteSize());
			return new SafeTensorsFile(path, arena, data, tensors);
		}
		catch (IOException | RuntimeException ex) {
			arena.close();
			if (ex instanceof IOException io) {
				throw io;
			}
			throw new IOException(path + " is not a valid safetensors file: " + ex.getMessage(), ex);
		}
	}

	private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataSize) throws IOException {
		JsonNode root = JSON.readTree(header);
		Map<String, TensorInfo> tensors = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : root.properties()) {
			if (entry.getKey().equals("__metadata__")) {
				continue;
			}
			JsonNode node = entry.getValue();
			DType dtype = DType.parse(node.get("dtype").asString());
			JsonNode shapeNode = node.get("shape");
			long[] shape = new long[shapeNode.size()];
			long elements = 1;
			for (int i = 0; i < shape.length; i++) {
				shape[i] = shapeNode.get(i).asLong();
				elements *= shape[i];
			}
			long begin = node.get("data_offsets").get(0).asLong();
			long end = node.get("data_offsets").get(1).asLong();
			if (end - begin != elements * dtype.bytes() || end > dataSize || begin < 0) {
				throw new IOException(path + ": tensor " + entry.getKey() + " has inconsistent offsets");
			}
			tensors.put(entry.getKey(), new TensorInfo(entry.getKey(), dtype, shape, begin));
		}
		return Collections.unmodifiableMap(tensors);
	}

	public Path path() {
		return this.path;
	}

	public Set<String> names() {
		return this.tensors.keySet();
	}

	public TensorInfo info(String name) {
		TensorInfo info = this.tensors.get(name);
		if (info == null) {
			throw new IllegalArgumentException("no tensor " + name + " in " + this.path);
		}
		return info;
	}

	/**
	 * Reads a tensor widened to fp32, row-major.
	 * @param name the tensor's Hugging Face name
	 * @return its elements
	 */
	public float[] floats(String name) {
		TensorInfo info = info(name);
		long count = info.elementCount();
		if (count > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("tensor " + name + " is too large for one array");
		}
		float[] out = new float[(int) count];
		info.dtype().widen(this.data, info.offset(), out, 0, (int) count);
		return out;
	}

	/**
	 * Reads a bf16 tensor's bits, as stored, into part of an array.
	 * @param name the tensor's Hugging Face name
	 * @param out where to write its elements' bits
	 * @param at the first element of {@code out} to write
	 * @throws IllegalArgumentException if the tensor is not bf16
	 */
	public void bf16Bits(String name, short[] out, int at) {
		TensorInfo info = info(name);
		if (info.dtype() != DType.BF16) {
			throw new IllegalArgumentException("tensor " + name + " is " + info.dtype() + ", not BF16");
		}
		MemorySegment.copy(this.data, DType.I16_LE, info.offset(), out, at, Math.toIntExact(info.elementCount()));
	}

	@Override
	public void close() {
		this.arena.close();
	}

	/**
	 * Where one tensor lies.
	 *
	 * @param name its name
	 * @param dtype its element type on disk
	 * @param shape its shape
	 * @param offset its first byte, counted from the end of the header
	 */
	public record TensorInfo(String name, DType dtype, long[] shape, long offset) {

		public long elementCount() {
			long n = 1;
			for (long d : this.shape) {
				n *= d;
			}
			return n;
		}

	}

}
