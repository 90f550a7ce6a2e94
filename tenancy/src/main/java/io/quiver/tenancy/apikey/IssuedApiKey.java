package io.quiver.tenancy.apikey;

/**
 * A freshly issued key together with its secret, which exists only here: hand it to the
 * caller once, then drop it.
 *
 * @param key the stored record
 * @param secret the secret ({@code qvr_...})
 */
public record IssuedApiKey(ApiKey key, String secret) {

	@Override
	public String toString() {
		return "IssuedApiKey[" + this.key.getPublicId() + "]";
	}

}
