package io.quiver.worker.model;

/**
 * {@code rope_scaling} from config.json: how rotary frequencies are stretched for long
 * contexts.
 *
 * @param type {@code default}, {@code linear} or {@code llama3}
 * @param factor the stretch factor
 * @param lowFreqFactor llama3's {@code low_freq_factor}
 * @param highFreqFactor llama3's {@code high_freq_factor}
 * @param originalMaxPositionEmbeddings llama3's {@code original_max_position_embeddings}
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
		int originalMaxPositionEmbeddings) {

	public static final RopeScaling NONE = new RopeScaling("default", 1.0, 1.0, 4.0, 8192);

	/**
	 * The inverse frequencies of each rotary pair, as Hugging Face's
	 * {@code ROPE_INIT_FUNCTIONS} compute them.
	 * @param headDim the head dimension
	 * @param theta {@code rope_theta}
	 * @return {@code headDim / 2} inverse frequencies
	 */
	public double[] inverseFrequencies(int headDim, double theta) {
		double[] inv = new double[headDim / 2];
		for (int i = 0; i < inv.length; i++) {
			inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
		}
		switch (this.type) {
			case "default" -> {
			}
			case "linear" -> {
				for (int i = 0; i < inv.length; i++) {
					inv[i] /= this.factor;
				}
			}
			case "llama3" -> {
				double lowWavelen = this.originalMaxPositionEmbeddings / this.lowFreqFactor;
				double highWavelen = this.originalMaxPositionEmbeddings / this.highFreqFactor;
				for (int i = 0; i < inv.length; i++) {
					double wavelen = 2 * Math.PI / inv[i];
					if (wavelen > lowWavelen) {
						inv[i] = inv[i] / this.factor;
					}
					else if (wavelen >= highWavelen) {
						double smooth = (this.originalMaxPositionEmbeddings / wavelen - this.lowFreqFactor)
								/ (this.highFreqFactor - this.lowFreqFactor);
						inv[i] = (1 - smooth) * inv[i] / this.factor + smooth * inv[i];
					}
				}
			}
			default -> throw new UnsupportedModelException("unsupported rope_scaling type " + this.type);
		}
		return inv;
	}

}
