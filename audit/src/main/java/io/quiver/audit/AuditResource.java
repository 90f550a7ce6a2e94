package io.quiver.audit;

/**
 * What the action was done to, e.g. {@code ("api_key", "key_01J...")}.
 *
 * @param type the kind of resource
 * @param id its id, when it has one
 */
public record AuditResource(String type, String id) {

	public AuditResource {
		type = AuditText.clean(type, 64);
		id = AuditText.clean(id, 256);
	}

	public static AuditResource of(String type, String id) {
		return new AuditResource(type, id);
	}

}
