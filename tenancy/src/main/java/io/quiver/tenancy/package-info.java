/** placeholder */
package io.quiver.tenancy;
