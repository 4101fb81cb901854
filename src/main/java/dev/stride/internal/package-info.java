/**
 * Argument and keyword-argument checks the API packages share, with messages that name the argument
 * and its value. Not exported.
 */
package dev.stride.internal;
