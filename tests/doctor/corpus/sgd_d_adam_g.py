"""SGD for D and Adam for G: the alternative tip 9 itself suggests."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
from torch.optim import SGD, Adam

generator = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(), nn.Linear(32, 2), nn.Tanh())
discriminator = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 1))
opt_G = Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = SGD(discriminator.parameters(), lr=0.01)
bce = nn.BCEWithLogitsLoss()

for real in torch.load("two_moons.pt").split(64):
    fake = generator(torch.randn(len(real), 8))
    loss_D = bce(discriminator(real), torch.ones(len(real), 1)) + bce(discriminator(fake.detach()), torch.zeros(len(real), 1))
    opt_D.zero_grad(); loss_D.backward(); opt_D.step()
    loss_G = bce(discriminator(fake), torch.ones(len(real), 1))
    opt_G.zero_grad(); loss_G.backward(); opt_G.step()
