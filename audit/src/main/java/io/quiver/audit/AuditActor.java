package io.quiver.audit;

import java.util.Objects;

/**
 * The principal behind an event.
 *
 * @param type what kind of principal
 * @param id the user, service account or system component id; for API keys the key's
 * owner if known
 * @param authMethod how it authenticated
 * @param keyId the public id of the API key used, never the key itself
 * @param issuer the JWT issuer, for {@link AuthMethod#JWT}
 */
public record AuditActor(ActorType type, String id, AuthMethod authMethod, String keyId, String issuer) {

	private static final AuditActor ANONYMOUS = new AuditActor(ActorType.ANONYMOUS, null, AuthMethod.NONE, null, null);

	public AuditActor {
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(authMethod, "authMethod");
		id = AuditText.clean(id, 256);
		keyId = AuditText.clean(keyId, 128);
		issuer = AuditText.clean(issuer, 512);
	}

	public static AuditActor anonymous() {
		return ANONYMOUS;
	}

	/**
	 * @param component the part of Quiver acting on its own, e.g. {@code retention}
	 * @return a system actor
	 */
	public static AuditActor system(String component) {
		return new AuditActor(ActorType.SYSTEM, component, AuthMethod.NONE, null, null);
	}

	public static AuditActor apiKey(String keyPublicId) {
		return new AuditActor(ActorType.API_KEY, null, AuthMethod.API_KEY, keyPublicId, null);
	}

	public static AuditActor user(String userId, AuthMethod authMethod, String issuer) {
		return new AuditActor(ActorType.USER, userId, authMethod, null, issuer);
	}

	public static AuditActor serviceAccount(String id, AuthMethod authMethod, String keyPublicId) {
		return new AuditActor(ActorType.SERVICE_ACCOUNT, id, authMethod, keyPublicId, null);
	}

}
