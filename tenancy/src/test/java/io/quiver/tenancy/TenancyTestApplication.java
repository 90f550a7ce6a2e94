package io.quiver.tenancy;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smallest application that holds the tenancy module, for its slice tests.
 */
@SpringBootApplication
public class TenancyTestApplication {

}
