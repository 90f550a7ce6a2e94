package io.quiver.audit.chain;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.quiver.audit.ActorType;
import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditChanges;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditResource;
import io.quiver.audit.AuthMethod;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns events into the JSON documents the chain hashes, the spool stores and the export
 * writes, and back. A chained document is the event's document plus {@code sequence} and
 * {@code recordedAt}.
 */
public final class EventDocuments {

	private static final JsonMapper json = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.enable(DeserializationFeature.USE_LONG_FOR_INTS)
		.build();

	private EventDocuments() {
	}

	/**
	 * @param event an event
	 * @return its document, without chain position
	 */
	public static Map<String, Object> document(AuditEvent event) {
		Map<String, Object> doc = new TreeMap<>();
		doc.put("id", event.id().toString());
		doc.put("tenant", event.tenant());
		doc.put("occurredAt", instant(event.occurredAt()));
		AuditActor actor = event.actor();
		Map<String, Object> actorDoc = new TreeMap<>();
		actorDoc.put("type", actor.type().wireValue());
		actorDoc.put("id", actor.id());
		actorDoc.put("authMethod", actor.authMethod().wireValue());
		actorDoc.put("keyId", actor.keyId());
		actorDoc.put("issuer", actor.issuer());
		doc.put("actor", actorDoc);
		doc.put("action", event.action());
		doc.put("resource", resource(event.resource()));
		doc.put("outcome", event.outcome().wireValue());
		doc.put("reason", event.reason());
		doc.put("sourceIp", event.sourceIp());
		doc.put("userAgent", event.userAgent());
		doc.put("requestId", event.requestId());
		doc.put("traceId", event.traceId());
		doc.put("changes", changes(event.changes()));
		doc.put("metadata", event.metadata());
		return doc;
	}

	/**
	 * @param event an event
	 * @param sequence its place in the chain
	 * @param recordedAt when it was stored
	 * @return the document that is hashed
	 */
	public static Map<String, Object> chained(AuditEvent event, long sequence, Instant recordedAt) {
		Map<String, Object> doc = document(event);
		doc.put("sequence", sequence);
		doc.put("recordedAt", instant(recordedAt));
		return doc;
	}

	/**
	 * @param doc a document made by {@link #document(AuditEvent)} (extra keys ignored)
	 * @return the event
	 */
	@SuppressWarnings("unchecked")
	public static AuditEvent event(Map<String, Object> doc) {
		Map<String, Object> actor = (Map<String, Object>) doc.get("actor");
		Map<String, Object> resource = (Map<String, Object>) doc.get("resource");
		Map<String, Object> changes = (Map<String, Object>) doc.get("changes");
		return new AuditEvent(UUID.fromString((String) doc.get("id")), (String) doc.get("tenant"),
				Instant.parse((String) doc.get("occurredAt")),
				new AuditActor(ActorType.fromWireValue((String) actor.get("type")), (String) actor.get("id"),
						AuthMethod.fromWireValue((String) actor.get("authMethod")), (String) actor.get("keyId"),
						(String) actor.get("issuer")),
				(String) doc.get("action"),
				(resource != null) ? new AuditResource((String) resource.get("type"), (String) resource.get("id"))
						: null,
				AuditOutcome.fromWireValue((String) doc.get("outcome")), (String) doc.get("reason"),
				(String) doc.get("sourceIp"), (String) doc.get("userAgent"), (String) doc.get("requestId"),
				(String) doc.get("traceId"),
				(changes != null) ? new AuditChanges((Map<String, Object>) changes.get("before"),
						(Map<String, Object>) changes.get("after")) : null,
				(Map<String, Object>) doc.get("metadata"));
	}

	public static Map<String, Object> resource(AuditResource resource) {
		if (resource == null || (resource.type() == null && resource.id() == null)) {
			return null;
		}
		Map<String, Object> doc = new TreeMap<>();
		doc.put("type", resource.type());
		doc.put("id", resource.id());
		return doc;
	}

	public static Map<String, Object> changes(AuditChanges changes) {
		if (changes == null) {
			return null;
		}
		Map<String, Object> doc = new HashMap<>();
		doc.put("before", changes.before());
		doc.put("after", changes.after());
		return new TreeMap<>(doc);
	}

	public static String instant(Instant instant) {
		return DateTimeFormatter.ISO_INSTANT.format(instant);
	}

	/**
	 * @param text a JSON object
	 * @return it, {@link JsonValues#normalize normalized}
	 */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> parse(String text) {
		return (text != null) ? JsonValues.normalizeMap(json.readValue(text, Map.class)) : null;
	}

}
