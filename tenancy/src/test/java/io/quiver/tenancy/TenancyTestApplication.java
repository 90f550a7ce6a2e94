package io.quiver.tenancy;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The smallest application that holds the tenancy module, for its slice tests.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TenancyTestApplication {

}
