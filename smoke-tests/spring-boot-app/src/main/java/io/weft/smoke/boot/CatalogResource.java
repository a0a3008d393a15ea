package io.weft.smoke.boot;

/** Implements {@link CatalogApi} without an annotation of its own: Jersey, and Weft, read the interface's. */
public class CatalogResource implements CatalogApi {

  @Override
  public String product(String code) {
    return "product " + code;
  }

  @Override
  public String remove(String code) {
    throw new UnsupportedOperationException("product " + code + " cannot be removed");
  }
}
