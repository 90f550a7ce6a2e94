package io.quiver.worker.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIOException;

class SafeTensorsTests {

	@TempDir
	Path dir;

	@ParameterizedTest
	@EnumSource(DType.class)
	void whenValuesTheTypeHoldsAreWrittenThenTheyWidenBackExactly(DType dtype) throws Exception {
		float[] values = { 0f, 1f, -2.5f, 0.15625f, 1024f, -0.0078125f };
		Path file = this.dir.resolve(dtype + ".safetensors");
		new SafeTensorsWriter(dtype).add("t", new long[] { 2, 3 }, values).write(file, Map.of("format", "pt"));
		try (SafeTensorsFile read = SafeTensorsFile.open(file)) {
			assertThat(read.info("t").dtype()).isEqualTo(dtype);
			assertThat(read.info("t").shape()).containsExactly(2, 3);
			assertThat(read.floats("t")).containsExactly(values);
		}
	}

	@Test
	void whenBf16IsWrittenThenValuesRoundToNearestEven() throws Exception {
		float value = Float.intBitsToFloat(0x3F808000);
		Path file = this.dir.resolve("round.safetensors");
		new SafeTensorsWriter(DType.BF16).add("t", new long[] { 1 }, new float[] { value }).write(file, Map.of());
		try (SafeTensorsFile read = SafeTensorsFile.open(file)) {
			assertThat(Float.floatToIntBits(read.floats("t")[0])).isEqualTo(0x3F800000);
		}
	}

	@Test
	void whenWeightsAreShardedThenTheIndexFindsEachTensor() throws Exception {
		new SafeTensorsWriter(DType.F32).add("a", new long[] { 2 }, new float[] { 1, 2 })
			.write(this.dir.resolve("model-00001-of-00002.safetensors"), Map.of());
		new SafeTensorsWriter(DType.F16).add("b", new long[] { 1 }, new float[] { 3 })
			.write(this.dir.resolve("model-00002-of-00002.safetensors"), Map.of());
		Files.writeString(this.dir.resolve("model.safetensors.index.json"),
				"""
						{"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""");
		try (ModelWeights weights = ModelWeights.open(this.dir)) {
			assertThat(weights.floats("a", 2)).containsExactly(1, 2);
			assertThat(weights.floats("b", 1)).containsExactly(3);
			assertThatIllegalArgumentException().isThrownBy(() -> weights.floats("a", 3))
				.withMessageContaining("shape");
			assertThatIllegalArgumentException().isThrownBy(() -> weights.floats("c", 1))
				.withMessageContaining("missing");
		}
	}

	@Test
	void whenTheFileIsNotSafetensorsThenOpeningFailsClearly() throws Exception {
		Path file = this.dir.resolve("bad.safetensors");
		Files.write(file, new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, '{' });
		assertThatIOException().isThrownBy(() -> SafeTensorsFile.open(file));
	}

}
