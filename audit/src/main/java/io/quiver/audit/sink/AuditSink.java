package io.quiver.audit.sink;

import java.util.List;

import io.quiver.audit.AuditRecord;

/**
 * Receives every record after it is committed to the trail. Implementations must return
 * quickly: the trail's writer calls them.
 */
public interface AuditSink {

	/**
	 * @param records committed records, in chain order per tenant
	 */
	void publish(List<AuditRecord> records);

}
