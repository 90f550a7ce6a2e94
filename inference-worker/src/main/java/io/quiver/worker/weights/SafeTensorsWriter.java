package io.quiver.worker.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes fp32 tensors into a safetensors file in a chosen on-disk dtype (the demo model
 * is written in bf16 so that loading exercises widening).
 */
public final class SafeTensorsWriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DType dtype;

	private final List<Entry> entries = new ArrayList<>();

	public SafeTensorsWriter(DType dtype) {
		this.dtype = dtype;
	}

	/**
	 * Adds a tensor.
	 * @param name its Hugging Face name
	 * @param shape its shape
	 * @param values its elements, row-major
	 * @return this writer
	 */
	public SafeTensorsWriter add(String name, long[] shape, float[] values) {
		long n = 1;
		for (long d : shape) {
			n *= d;
		}
		if (n != values.length) {
			throw new IllegalArgumentException("tensor " + name + " has " + values.length + " values for shape");
		}
		this.entries.add(new Entry(name, shape.clone(), values));
		return this;
	}

	/**
	 * Writes every added tensor to {@code path}.
	 * @param path the file to create or replace
	 * @param metadata the {@code __metadata__} strings
	 * @throws IOException if the file cannot be written
	 */
	public void write(Path path, Map<String, String> metadata) throws IOException {
		ObjectNode header = JSON.createObjectNode();
		ObjectNode meta = header.putObject("__metadata__");
		new LinkedHashMap<>(metadata).forEach(meta::put);
		long offset = 0;
		for (Entry entry : this.entries) {
			ObjectNode node = header.putObject(entry.name);
			node.put("dtype", this.dtype.name());
			var shape = node.putArray("shape");
			for (long d : entry.shape) {
				shape.add(d);
			}
			long size = (long) entry.values.length * this.dtype.bytes();
			node.putArray("data_offsets").add(offset).add(offset + size);
			offset += size;
		}
		byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
		int padded = (json.length + 7) / 8 * 8;
		byte[] headerBytes = new byte[padded];
		java.util.Arrays.fill(headerBytes, (byte) ' ');
		System.arraycopy(json, 0, headerBytes, 0, json.length);
		Files.createDirectories(path.toAbsolutePath().getParent());
		try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
			ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
			out.write(length.array());
			out.write(headerBytes);
			ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
			for (Entry entry : this.entries) {
				for (float v : entry.values) {
					if (buffer.remaining() < 4) {
						out.write(buffer.array(), 0, buffer.position());
						buffer.clear();
					}
					int bits = this.dtype.narrow(v);
					if (this.dtype.bytes() == 4) {
						buffer.putInt(bits);
					}
					else {
						buffer.putShort((short) bits);
					}
				}
			}
			out.write(buffer.array(), 0, buffer.position());
		}
	}

	private record Entry(String name, long[] shape, float[] values) {
	}

}
