/**
 * The engine's thin layer over DJL's NDArray: loading PyTorch offline, and the few fused
 * kernels of a decoder layer, each with a naive twin that tests hold it to.
 */
package io.quiver.worker.tensor;
