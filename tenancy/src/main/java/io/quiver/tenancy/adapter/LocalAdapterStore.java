package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Keeps adapters in a directory that workers can read ({@code file:} URIs): one PEFT
 * directory per tenant, adapter and version. Suits the single-machine stack and a volume
 * shared by the gateways and the workers.
 */
class LocalAdapterStore implements AdapterStore {

	private final Path root;

	LocalAdapterStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	@Override
	public Staged stage(InputStream weights, long maxBytes) throws IOException {
		// beside the published folders, so that publishing is a rename
		return UploadStaging.stage(this.root.resolve(".staging"), weights, maxBytes);
	}

	@Override
	public String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException {
		Path directory = Files.createDirectories(this.root.resolve(tenant).resolve(name).resolve(version));
		Files.write(directory.resolve("adapter_config.json"), config);
		Files.move(staged.weights(), directory.resolve("adapter_model.safetensors"),
				StandardCopyOption.REPLACE_EXISTING);
		return directory.toUri().toString();
	}

}
