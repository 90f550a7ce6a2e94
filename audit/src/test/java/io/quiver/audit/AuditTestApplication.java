package io.quiver.audit;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Boots the audit module alone, as the gateway would with it on its classpath.
 */
@SpringBootApplication
public class AuditTestApplication {

}
