package io.quiver.audit;

import java.util.Map;

import io.quiver.audit.chain.JsonValues;

/**
 * The before and after values of an admin change. Secrets are masked on construction;
 * both sides may be {@code null} (creation, deletion).
 *
 * @param before the values before the change
 * @param after the values after it
 */
public record AuditChanges(Map<String, Object> before, Map<String, Object> after) {

	public AuditChanges {
		before = (before != null) ? JsonValues.normalizeMap(AuditMasking.mask(before)) : null;
		after = (after != null) ? JsonValues.normalizeMap(AuditMasking.mask(after)) : null;
	}

	@SuppressWarnings("unchecked")
	public static AuditChanges of(Map<String, ?> before, Map<String, ?> after) {
		return new AuditChanges((Map<String, Object>) before, (Map<String, Object>) after);
	}

}
