"""Both players optimised with SGD with momentum (tip 9 says Adam)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.optim as optim

gen = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(), nn.Linear(32, 2), nn.Tanh())
disc = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 1))
gen_optimizer = optim.SGD(gen.parameters(), lr=0.01, momentum=0.9)
disc_optimizer = optim.SGD(disc.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(100):
    for real in torch.load("two_moons.pt").split(64):
        fake = gen(torch.randn(len(real), 8))
        disc_loss = loss_fn(disc(real), torch.ones(len(real), 1)) + loss_fn(disc(fake.detach()), torch.zeros(len(real), 1))
        disc_optimizer.zero_grad(); disc_loss.backward(); disc_optimizer.step()
        gen_loss = loss_fn(disc(fake), torch.ones(len(real), 1))
        gen_optimizer.zero_grad(); gen_loss.backward(); gen_optimizer.step()
