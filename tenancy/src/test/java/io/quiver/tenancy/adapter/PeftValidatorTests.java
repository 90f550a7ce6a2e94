package io.quiver.tenancy.adapter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PeftValidatorTests {

	private static final AdapterProperties.BaseModelShape BASE = new AdapterProperties.BaseModelShape(16, 32);

	@TempDir
	Path directory;

	@Test
	void whenConfigIsLoraThenItsFactsAreRead() {
		PeftSummary peft = PeftValidator.readConfig(("{\"peft_type\":\"LORA\",\"r\":8,\"lora_alpha\":16,"
				+ "\"target_modules\":[\"q_proj\",\"v_proj\"],\"base_model_name_or_path\":\"Qwen/Qwen2.5-0.5B\"}")
			.getBytes(StandardCharsets.UTF_8), null);
		assertThat(peft.rank()).isEqualTo(8);
		assertThat(peft.alpha()).isEqualTo(16.0);
		assertThat(peft.targetModules()).containsExactly("q_proj", "v_proj");
		assertThat(peft.baseModel()).isEqualTo("Qwen/Qwen2.5-0.5B");
		assertThat(PeftValidator
			.readConfig("{\"peft_type\":\"LORA\",\"r\":4,\"target_modules\":\"all-linear\"}"
				.getBytes(StandardCharsets.UTF_8), "qwen")
			.baseModel()).isEqualTo("qwen");
	}

	@Test
	void whenShapesAgreeThenWeightsPass() throws Exception {
		PeftSummary peft = new PeftSummary(8, 16.0, java.util.List.of("q_proj", "down_proj"), "base");
		Path file = write(tensor("q_proj.lora_A.weight", 8, 16), tensor("q_proj.lora_B.weight", 16, 8),
				tensor("down_proj.lora_A.weight", 8, 32), tensor("down_proj.lora_B.weight", 16, 8));
		PeftValidator.checkWeights(file, peft, BASE);
		PeftValidator.checkWeights(file, peft, null);
	}

	@Test
	void whenShapesDisagreeThenWeightsAreRefused() throws Exception {
		PeftSummary peft = new PeftSummary(8, 16.0, java.util.List.of("q_proj"), "base");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PeftValidator.checkWeights(write(tensor("q_proj.lora_A.weight", 4, 16)), peft, null))
			.withMessageContaining("rank");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PeftValidator.checkWeights(write(tensor("q_proj.lora_A.weight", 8, 24)), peft, BASE))
			.withMessageContaining("features");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PeftValidator.checkWeights(write(tensor("q_proj.weight", 8, 16)), peft, null))
			.withMessageContaining("no lora");
		Path truncated = this.directory.resolve("truncated.safetensors");
		Files.write(truncated, new byte[] { 100, 0, 0, 0, 0, 0, 0, 0, '{' });
		assertThatIllegalArgumentException().isThrownBy(() -> PeftValidator.checkWeights(truncated, peft, null));
	}

	private static String tensor(String name, int rows, int columns) {
		return name + ":" + rows + ":" + columns;
	}

	private Path write(String... tensors) throws Exception {
		StringBuilder header = new StringBuilder("{");
		long offset = 0;
		for (String tensor : tensors) {
			String[] parts = tensor.split(":");
			long bytes = 4L * Integer.parseInt(parts[1]) * Integer.parseInt(parts[2]);
			if (header.length() > 1) {
				header.append(',');
			}
			header.append("\"base_model.model.layers.0.")
				.append(parts[0])
				.append("\":{\"dtype\":\"F32\",\"shape\":[")
				.append(parts[1])
				.append(',')
				.append(parts[2])
				.append("],\"data_offsets\":[")
				.append(offset)
				.append(',')
				.append(offset + bytes)
				.append("]}");
			offset += bytes;
		}
		byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
		out.writeBytes(json);
		out.writeBytes(new byte[(int) offset]);
		Path file = Files.createTempFile(this.directory, "adapter", ".safetensors");
		Files.write(file, out.toByteArray());
		return file;
	}

}
