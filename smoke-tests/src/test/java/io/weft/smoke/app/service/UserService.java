package io.weft.smoke.app.service;

public class UserService {
  public String getUser(int id) {
    return "user-" + id;
  }

  public void deleteUser(int id) {
    // matched by class pattern, not by method pattern get*
  }
}
