/** placeholder */
package io.quiver.audit;
