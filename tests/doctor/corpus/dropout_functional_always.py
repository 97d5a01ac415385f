"""Generator dropout written with F.dropout(training=True): stays on when sampling in eval mode."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=pass
# reason: T17=pass G's forward calls F.dropout(h, 0.5, training=True), so netG.eval() keeps it on
import torch
import torch.nn as nn
import torch.nn.functional as F


class NoisyGenerator(nn.Module):
    def __init__(self, nz=16, nx=32):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(nz, 128), nn.Linear(128, nx)

    def forward(self, z):
        h = F.dropout(F.leaky_relu(self.fc1(z), 0.2), 0.5, training=True)
        return torch.tanh(self.fc2(h))


class Discriminator(nn.Module):
    def __init__(self, nx=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(nx, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))

    def forward(self, x):
        return self.net(x)


netG, netD = NoisyGenerator(), Discriminator()
optG = torch.optim.Adam(netG.parameters(), 1e-3)
optD = torch.optim.Adam(netD.parameters(), 1e-3)
crit = nn.BCEWithLogitsLoss()
curves = torch.load("curves.pt")
for step in range(10000):
    real = curves[torch.randint(len(curves), (64,))]
    fake = netG(torch.randn(64, 16))
    errD = crit(netD(real), torch.ones(64, 1)) + crit(netD(fake.detach()), torch.zeros(64, 1))
    optD.zero_grad()
    errD.backward()
    optD.step()
    errG = crit(netD(fake), torch.ones(64, 1))
    optG.zero_grad()
    errG.backward()
    optG.step()
netG.eval()
samples = netG(torch.randn(16, 16))
