package io.quiver.worker.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element types a safetensors file may hold that the engine reads; each widens to
 * fp32.
 */
public enum DType {

	F32(4), F16(2), BF16(2);

	private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED
		.withOrder(ByteOrder.LITTLE_ENDIAN);

	static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

	private final int bytes;

	DType(int bytes) {
		this.bytes = bytes;
	}

	public int bytes() {
		return this.bytes;
	}

	/**
	 * Parses the safetensors spelling ({@code "BF16"}).
	 * @param name the dtype as written in a safetensors header
	 * @return the dtype
	 * @throws IllegalArgumentException for types the engine does not read
	 */
	public static DType parse(String name) {
		return switch (name) {
			case "F32" -> F32;
			case "F16" -> F16;
			case "BF16" -> BF16;
			default -> throw new IllegalArgumentException("unsupported safetensors dtype " + name);
		};
	}

	/**
	 * Widens {@code count} elements starting at byte {@code offset} of {@code data} into
	 * {@code out} from {@code outOffset}.
	 */
	void widen(MemorySegment data, long offset, float[] out, int outOffset, int count) {
		switch (this) {
			case F32 -> MemorySegment.copy(data, F32_LE, offset, out, outOffset, count);
			case BF16 -> {
				for (int i = 0; i < count; i++) {
					int bits = data.get(I16_LE, offset + 2L * i) & 0xFFFF;
					out[outOffset + i] = Float.intBitsToFloat(bits << 16);
				}
			}
			case F16 -> {
				for (int i = 0; i < count; i++) {
					out[outOffset + i] = Float.float16ToFloat(data.get(I16_LE, offset + 2L * i));
				}
			}
		}
	}

	/** Narrows a float to this type's little-endian bits (round to nearest even). */
	int narrow(float value) {
		return switch (this) {
			case F32 -> Float.floatToRawIntBits(value);
			case F16 -> Float.floatToFloat16(value) & 0xFFFF;
			case BF16 -> {
				int bits = Float.floatToRawIntBits(value);
				if (Float.isNaN(value)) {
					yield 0x7FC0;
				}
				int rounding = 0x7FFF + ((bits >>> 16) & 1);
				yield ((bits + rounding) >>> 16) & 0xFFFF;
			}
		};
	}

}
