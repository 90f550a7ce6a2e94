/**
 * The worker benchmark: decode throughput with and without many adapters, the matmul
 * roofline, cold adapter loads and memory, measured side by side in one process.
 */
package io.quiver.worker.bench;
